public import Foundation
import NIOSSL
import SwiftASN1
@_spi(FixedExpiryValidationTime) public import X509

/// Decides whether a client certificate is let in, during the handshake: it must chain to the
/// configured CA and be within its validity dates (RFC 5280, swift-certificates' verifier), be
/// meant for TLS client authentication (key usage `digitalSignature` when the extension is
/// present, extended key usage `clientAuth`), carry the expected name when one is configured, and
/// not be on the CA's revocation list when one is configured.
public struct ClientCertificatePolicy: Sendable {
    let roots: [Certificate]
    let expectedName: String?
    let revocations: RevocationList?

    public init(roots: [Certificate], expectedName: String? = nil, revocations: RevocationList? = nil) {
        self.roots = roots
        self.expectedName = expectedName
        self.revocations = revocations
    }

    init(options: TLSServerOptions) throws {
        let text = try String(contentsOfFile: options.clientCA, encoding: .utf8)
        let roots = try PEMDocument.parseMultiple(pemString: text).map { try Certificate(pemDocument: $0) }
        let revocations = try options.crl.map { path in
            try RevocationList(contentsOf: path, issuers: roots)
        }
        self.init(roots: roots, expectedName: options.clientFQDN, revocations: revocations)
    }

    /// The verdict for the chain a client presented (leaf first).
    func verify(_ presented: [NIOSSLCertificate]) async -> NIOSSLVerificationResult {
        guard case .valid = await evaluate(presented.compactMap { try? Certificate(derEncoded: $0.toDERBytes()) }) else {
            return .failed
        }
        return .certificateVerified
    }

    /// Why a chain is refused, or `.valid`.
    public enum Verdict: Sendable, Equatable {
        case valid
        case refused(String)
    }

    public func evaluate(_ chain: [Certificate], now: Date = Date()) async -> Verdict {
        guard let leaf = chain.first else { return .refused("no client certificate") }
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy(fixedExpiryValidationTime: now)
            ClientAuthenticationPolicy(expectedName: expectedName, revocations: revocations, now: now)
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(chain.dropFirst()))
        switch result {
        case .validCertificate: return .valid
        case .couldNotValidate(let failures): return .refused(failures.map { "\($0.policyFailureReason)" }.joined(separator: "; "))
        }
    }
}

/// The checks RFC 5280 leaves to the application: usage, name and revocation of the leaf.
struct ClientAuthenticationPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.keyUsage, .X509ExtensionID.extendedKeyUsage, .X509ExtensionID.subjectAlternativeName,
    ]
    let expectedName: String?
    let revocations: RevocationList?
    let now: Date

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        let leaf = chain.leaf
        do {
            if let usage = try leaf.extensions.keyUsage, !usage.digitalSignature {
                return .failsToMeetPolicy(reason: "the key usage does not allow digital signatures")
            }
            guard let extended = try leaf.extensions.extendedKeyUsage, extended.contains(.clientAuth) else {
                return .failsToMeetPolicy(reason: "the certificate is not for TLS client authentication")
            }
            if let expectedName, !(try Self.names(of: leaf).contains(expectedName.lowercased())) {
                return .failsToMeetPolicy(reason: "the certificate is not issued to \(expectedName)")
            }
        } catch {
            return .failsToMeetPolicy(reason: "an extension cannot be read")
        }
        if let revocations {
            switch revocations.status(of: leaf, now: now) {
            case .good: break
            case .revoked: return .failsToMeetPolicy(reason: "the certificate is revoked")
            case .unknown(let why): return .failsToMeetPolicy(reason: "revocation cannot be checked: \(why)")
            }
        }
        return .meetsPolicy
    }

    /// The subject's common names and the DNS names of the certificate, lower-cased.
    static func names(of certificate: Certificate) throws -> [String] {
        var names = certificate.subject.commonNames
        if let alternatives = try certificate.extensions.subjectAlternativeNames {
            for case .dnsName(let dns) in alternatives { names.append(dns) }
        }
        return names.map { $0.lowercased() }
    }
}

extension DistinguishedName {
    /// The values of the subject's CN attributes.
    public var commonNames: [String] {
        flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }.map { String(describing: $0.value) }
    }
}
