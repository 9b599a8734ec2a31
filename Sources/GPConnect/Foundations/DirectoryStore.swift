import GPConnectContract

/// Where a practice's directory lives: the practices this deployment hosts, and the
/// organisations, practitioners and locations each of them publishes.
///
/// Lookups are scoped by practice ODS code: one deployment hosts many practices and a resource
/// id is only meaningful under the practice in the URL.
public protocol DirectoryStore: Sendable {
    func practice(ods: String) async throws -> Practice?
    func practices() async throws -> [Practice]
    func organization(practice: String, id: String) async throws -> OrganizationRecord?
    func organizations(practice: String, odsCode: String) async throws -> [OrganizationRecord]
    func practitioner(practice: String, id: String) async throws -> PractitionerRecord?
    func practitioners(practice: String, sdsUserID: String) async throws -> [PractitionerRecord]
    func location(practice: String, id: String) async throws -> LocationRecord?
    /// The practitioners, organisations and locations with these ids, read together (one round
    /// trip for a Bundle's directory resources). Unknown ids are left out; order is unspecified.
    func directoryEntries(practice: String, practitionerIDs: [String], organizationIDs: [String], locationIDs: [String])
        async throws -> (practitioners: [PractitionerRecord], organizations: [OrganizationRecord], locations: [LocationRecord])

    func savePractice(_ practice: Practice) async throws
    func saveOrganization(_ organization: OrganizationRecord, practice: String) async throws
    func savePractitioner(_ practitioner: PractitionerRecord, practice: String) async throws
    func saveLocation(_ location: LocationRecord, practice: String) async throws
}
