import FHIR
import GPConnectContract
import Testing

extension Reply {
    /// Checks a FHIR reply against the profiles it claims (``ProfileCheck``), recording each
    /// violation as a test issue. `Client.request` calls this on every reply of an STU3
    /// capability, so every test that reads a resource also checks its profile.
    func checkProfiles(capability: Capability, sourceLocation: SourceLocation = #_sourceLocation) {
        guard capability.fhirVersion == .stu3, !bytes.isEmpty, let format = Self.format(of: contentType) else { return }
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
