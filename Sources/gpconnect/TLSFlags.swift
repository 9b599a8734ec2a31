import ArgumentParser
import GPConnectClient
import GPConnectTLS

/// `--tls-*` flags of the commands that accept TLS connections (`serve`, `ssp`).
struct ServerTLSFlags: ParsableArguments {
    @Option(name: .long, help: "PEM server certificate (chain); enables TLS 1.2/1.3 with client certificates required.")
    var tlsCertificate: String?
    @Option(name: .long, help: "PEM private key of --tls-certificate.") var tlsKey: String?
    @Option(name: .long, help: "PEM CA certificate(s) client certificates must chain to.") var tlsClientCa: String?
    @Option(name: .long, help: "The name (CN or DNS SAN) every client certificate must carry, e.g. the SSP's FQDN.")
    var tlsClientFqdn: String?
    @Option(name: .long, help: "Certificate revocation list (PEM or DER) of the client CA.") var tlsCrl: String?

    /// The options from the flags, each falling back to the configuration file's `tls` object;
    /// nil when neither names a certificate.
    func options(file: TLSServerOptions.File?) throws -> TLSServerOptions? {
        guard let certificate = tlsCertificate ?? file?.certificate else {
            guard tlsKey == nil, tlsClientCa == nil, tlsClientFqdn == nil, tlsCrl == nil else {
                throw ValidationError("--tls-key, --tls-client-ca, --tls-client-fqdn and --tls-crl need --tls-certificate")
            }
            return nil
        }
        guard let key = tlsKey ?? file?.key else { throw ValidationError("TLS needs --tls-key") }
        guard let clientCA = tlsClientCa ?? file?.clientCA else {
            throw ValidationError("TLS needs --tls-client-ca: client certificates are always required")
        }
        return TLSServerOptions(
            certificate: certificate, key: key, clientCA: clientCA, clientFQDN: tlsClientFqdn ?? file?.clientFQDN, crl: tlsCrl ?? file?.crl)
    }
}

extension TLSServerOptions {
    /// The configuration file's `"tls": {"certificate", "key", "clientCA", "clientFQDN", "crl"}`.
    struct File: Decodable {
        var certificate: String?
        var key: String?
        var clientCA: String?
        var clientFQDN: String?
        var crl: String?
    }
}

/// `--tls-*` flags of the commands that call a provider (every `consumer` verb).
struct ClientTLSFlags: ParsableArguments {
    @Option(name: .long, help: "PEM client certificate presented to the provider or the SSP.") var tlsCertificate: String?
    @Option(name: .long, help: "PEM private key of --tls-certificate.") var tlsKey: String?
    @Option(name: .long, help: "PEM CA certificate(s) the server's certificate must chain to (default: the system's).")
    var tlsCa: String?

    var options: TLSClientOptions? {
        get throws {
            guard tlsCertificate != nil || tlsKey != nil || tlsCa != nil else { return nil }
            guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-certificate and --tls-key go together") }
            return TLSClientOptions(certificate: tlsCertificate, key: tlsKey, trustedCA: tlsCa)
        }
    }
}
