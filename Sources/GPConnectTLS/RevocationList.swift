public import Foundation
import SwiftASN1
public import X509

/// A certificate revocation list (RFC 5280 §5), read from a PEM or DER file. Only what revocation
/// checking needs is kept: the issuer, the update times and the revoked serial numbers. The list's
/// signature is checked against its issuer's public key when it is loaded (swift-certificates does
/// the cryptography); a list no configured CA signed is refused.
public struct RevocationList: Sendable {
    public let issuer: DistinguishedName
    public let thisUpdate: Date
    public let nextUpdate: Date?
    public let revoked: Set<Certificate.SerialNumber>

    public enum Status: Sendable, Equatable {
        case good
        case revoked
        case unknown(String)
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(contentsOf path: String, issuers: [Certificate]) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let der: [UInt8]
        if let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN") {
            der = try PEMDocument(pemString: text).derBytes
        } else {
            der = Array(data)
        }
        try self.init(derEncoded: der, issuers: issuers)
    }

    public init(derEncoded der: [UInt8], issuers: [Certificate]) throws {
        // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }
        let parts = try Self.children(of: DER.parse(der))
        guard parts.count == 3 else { throw Invalid(description: "not a CertificateList") }
        let tbs = parts[0]
        let algorithm = try Self.signatureAlgorithm(parts[1])
        let signature = try ASN1BitString(derEncoded: parts[2])

        // TBSCertList ::= SEQUENCE { version OPTIONAL, signature, issuer, thisUpdate, nextUpdate OPTIONAL,
        //                            revokedCertificates OPTIONAL, [0] crlExtensions OPTIONAL }
        var fields = try Self.children(of: tbs)[...]
        if fields.first?.identifier == .integer { fields = fields.dropFirst() }
        guard fields.count >= 3 else { throw Invalid(description: "truncated TBSCertList") }
        fields = fields.dropFirst()  // the inner signature algorithm, repeated
        let issuer = try DistinguishedName(derEncoded: fields.removeFirst())
        let thisUpdate = try Self.time(fields.removeFirst())
        var nextUpdate: Date?
        if let next = fields.first, next.identifier == .utcTime || next.identifier == .generalizedTime {
            nextUpdate = try Self.time(next)
            fields = fields.dropFirst()
        }
        var revoked: Set<Certificate.SerialNumber> = []
        if let list = fields.first, list.identifier == .sequence {
            for entry in try Self.children(of: list) {
                guard let serial = try Self.children(of: entry).first else { throw Invalid(description: "empty revoked entry") }
                revoked.insert(Certificate.SerialNumber(bytes: try ArraySlice<UInt8>(derEncoded: serial)))
            }
        }
        guard let signer = issuers.first(where: { $0.subject == issuer }) else {
            throw Invalid(description: "the revocation list is not issued by a configured CA")
        }
        guard signer.publicKey.isValidSignature(signature.bytes, for: tbs.encodedBytes, signatureAlgorithm: algorithm) else {
            throw Invalid(description: "the revocation list's signature does not verify")
        }
        self.issuer = issuer
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.revoked = revoked
    }

    /// Whether `certificate` (issued by this list's issuer) is revoked. A list past its next update
    /// proves nothing, and neither does a list from another issuer: both answer `.unknown`.
    public func status(of certificate: Certificate, now: Date = Date()) -> Status {
        guard certificate.issuer == issuer else { return .unknown("no revocation list from the certificate's issuer") }
        if let nextUpdate, nextUpdate < now { return .unknown("the revocation list is out of date") }
        return revoked.contains(certificate.serialNumber) ? .revoked : .good
    }

    static func children(of node: ASN1Node) throws -> [ASN1Node] {
        guard case .constructed(let nodes) = node.content else { throw Invalid(description: "expected a constructed value") }
        return Array(nodes)
    }

    static func time(_ node: ASN1Node) throws -> Date {
        let parts: (Int, Int, Int, Int, Int, Int)
        switch node.identifier {
        case .utcTime:
            let time = try UTCTime(derEncoded: node)
            parts = (time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
        case .generalizedTime:
            let time = try GeneralizedTime(derEncoded: node)
            parts = (time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
        default:
            throw Invalid(description: "expected a time")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let components = DateComponents(year: parts.0, month: parts.1, day: parts.2, hour: parts.3, minute: parts.4, second: parts.5)
        guard let date = calendar.date(from: components) else { throw Invalid(description: "invalid time") }
        return date
    }

    static let algorithms: [ASN1ObjectIdentifier: Certificate.SignatureAlgorithm] = [
        [1, 2, 840, 10045, 4, 3, 2]: .ecdsaWithSHA256, [1, 2, 840, 10045, 4, 3, 3]: .ecdsaWithSHA384,
        [1, 2, 840, 10045, 4, 3, 4]: .ecdsaWithSHA512, [1, 2, 840, 113549, 1, 1, 11]: .sha256WithRSAEncryption,
        [1, 2, 840, 113549, 1, 1, 12]: .sha384WithRSAEncryption, [1, 2, 840, 113549, 1, 1, 13]: .sha512WithRSAEncryption,
        [1, 3, 101, 112]: .ed25519,
    ]

    static func signatureAlgorithm(_ node: ASN1Node) throws -> Certificate.SignatureAlgorithm {
        guard let oid = try children(of: node).first, let algorithm = algorithms[try ASN1ObjectIdentifier(derEncoded: oid)] else {
            throw Invalid(description: "unsupported signature algorithm")
        }
        return algorithm
    }
}
