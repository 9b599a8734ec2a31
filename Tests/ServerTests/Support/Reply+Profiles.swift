import FHIR
import GPConnectContract
import HTTPTypes
import Testing

extension Reply {
    /// Checks a FHIR reply against the profiles it claims (``ProfileCheck``), recording each
    /// violation as a test issue. `Client.request` and `Client.raw` call this on every STU3
    /// reply, so every test that reads a resource also checks its profile (the facts are STU3's:
    /// DSTU2 replies are left out).
    func checkProfiles(version: FHIRVersion, sourceLocation: SourceLocation = #_sourceLocation) {
        // A compressed body is checked where a test inflates it.
        guard version == .stu3, !bytes.isEmpty, headers[.contentEncoding] == nil, let format = Self.format(of: contentType) else {
            return
        }
        do {
            try ProfileCheck.assertConforms(bytes, format: format, sourceLocation: sourceLocation)
        } catch {
            Issue.record("profile check could not read the \(format.rawValue) reply: \(error)", sourceLocation: sourceLocation)
        }
    }

    static func format(of contentType: String?) -> FHIRFormat? {
        guard let type = contentType else { return nil }
        if type.hasPrefix("application/fhir+xml") { return .xml }
        if type.hasPrefix("application/fhir+json") { return .json }
        return nil
    }
}
