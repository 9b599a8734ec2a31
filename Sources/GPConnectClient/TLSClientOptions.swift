public import AsyncHTTPClient
public import NIOCore
public import NIOSSL

/// How a consumer (or the SSP, or the MESH client) authenticates itself to a server over TLS and
/// which CA it trusts for the server's certificate: TLS 1.2 or 1.3 with the spec's TLS 1.2
/// ciphers (GP Connect 1.6.2, development_fhir_api_guidance, "Transport security").
///
/// Any HTTP client of the project takes one: ``makeHTTPClient()`` builds an async-http-client
/// with it, and ``tlsConfiguration()`` gives swift-nio-ssl's configuration to anything else.
public struct TLSClientOptions: Sendable, Hashable, Codable {
    /// PEM file: the client certificate (then any intermediates); nil presents none.
    public var certificate: String?
    /// PEM file: its private key.
    public var key: String?
    /// PEM file: the CA certificate(s) the server's certificate must chain to; nil trusts the system's roots.
    public var trustedCA: String?

    public init(certificate: String? = nil, key: String? = nil, trustedCA: String? = nil) {
        self.certificate = certificate
        self.key = key
        self.trustedCA = trustedCA
    }

    /// The TLS 1.2 suites in the spec's order (`AESGCM+EECDH`, `AES256+EECDH`; BoringSSL has no `EDH`).
    public static let cipherSuites = "AESGCM+EECDH:AES256+EECDH"

    public func tlsConfiguration() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.maximumTLSVersion = .tlsv13
        tls.cipherSuites = Self.cipherSuites
        if let certificate {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
        }
        if let key { tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)) }
        if let trustedCA { tls.trustRoots = .file(trustedCA) }
        return tls
    }

    /// An HTTP client that speaks TLS this way. The caller shuts it down.
    public func makeHTTPClient(connectTimeout: TimeAmount = .seconds(3)) throws -> HTTPClient {
        var configuration = HTTPClient.Configuration(tlsConfiguration: try tlsConfiguration())
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = connectTimeout
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
