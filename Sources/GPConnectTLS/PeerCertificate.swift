public import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// The subject of the certificate the peer of a TLS connection presented (and the handshake
/// verified), as an RFC 4514 string, e.g. `CN=ssp.localhost,O=GP Connect development`; nil on a
/// plain connection.
public func peerCertificateSubject(of channel: any Channel) async -> String? {
    guard let certificate = try? await channel.nioSSL_peerCertificate().get(),
        let parsed = try? Certificate(derEncoded: certificate.toDERBytes())
    else { return nil }
    return parsed.subject.description
}

/// The common names of the peer's certificate subject (see ``peerCertificateSubject(of:)``).
public func peerCertificateNames(of channel: any Channel) async -> (subject: String, names: [String])? {
    guard let certificate = try? await channel.nioSSL_peerCertificate().get(),
        let parsed = try? Certificate(derEncoded: certificate.toDERBytes()),
        let names = try? ClientAuthenticationPolicy.names(of: parsed)
    else { return nil }
    return (parsed.subject.description, names)
}
