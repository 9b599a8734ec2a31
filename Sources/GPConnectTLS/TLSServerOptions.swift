import Foundation
public import HummingbirdTLS
import NIOSSL

/// How a provider (or the SSP emulator) speaks TLS: its certificate and key, the CA its clients'
/// certificates must chain to, and optionally the one name a client certificate must carry and a
/// revocation list (GP Connect 1.6.2, development_fhir_api_guidance, "Transport security": TLS 1.2
/// mutual authentication, client certificates from the chain of trust, not expired or revoked,
/// FQDN = the Spine Secure Proxy; TLS 1.0, 1.1, SSLv2 and SSLv3 refused).
public struct TLSServerOptions: Sendable, Equatable, Codable {
    /// PEM file: the server certificate, then any intermediates.
    public var certificate: String
    /// PEM file: the server's private key.
    public var key: String
    /// PEM file: the CA certificates a client certificate must chain to.
    public var clientCA: String
    /// When set, the client certificate's subject common name or one of its DNS names must be this.
    public var clientFQDN: String?
    /// PEM or DER file: a certificate revocation list issued by the client CA.
    public var crl: String?

    public init(certificate: String, key: String, clientCA: String, clientFQDN: String? = nil, crl: String? = nil) {
        self.certificate = certificate
        self.key = key
        self.clientCA = clientCA
        self.clientFQDN = clientFQDN
        self.crl = crl
    }

    /// The TLS 1.2 suites in the spec's order of preference: `AESGCM+EECDH`, `AESGCM+EDH`,
    /// `AES256+EECDH`, `AES256+EDH`. BoringSSL (swift-nio-ssl) implements no finite-field DHE, so
    /// the two `EDH` groups contribute nothing; TLS 1.3 has its own (AEAD-only) suites.
    public static let cipherSuites = "AESGCM+EECDH:AES256+EECDH"

    /// The HSTS header every response over TLS carries (GP Connect 1.6.2, "HSTS SHALL be employed").
    public static let strictTransportSecurity = "max-age=31536000; includeSubDomains"

    /// The channel configuration for HummingbirdTLS: TLS 1.2 and 1.3 only, the spec's cipher list,
    /// a client certificate required and verified by ``ClientCertificatePolicy``.
    public func channelConfiguration() throws -> TLSChannelConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(certificate)
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        tls.minimumTLSVersion = .tlsv12
        tls.maximumTLSVersion = .tlsv13
        tls.cipherSuites = Self.cipherSuites
        tls.certificateVerification = .noHostnameVerification
        let roots = try NIOSSLCertificate.fromPEMFile(clientCA)
        tls.trustRoots = .certificates(roots)
        tls.sendCANameList = true
        let policy = try ClientCertificatePolicy(options: self)
        // Fails here, with the reason, rather than when the first connection arrives.
        _ = try NIOSSLContext(configuration: tls)
        return TLSChannelConfiguration(
            tlsConfiguration: tls, customAsyncVerificationCallback: { certificates in await policy.verify(certificates) })
    }
}
