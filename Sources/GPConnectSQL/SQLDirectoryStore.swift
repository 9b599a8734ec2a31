public import GPConnect
import GPConnectContract

/// ``DirectoryStore`` on SQLite.
public struct SQLDirectoryStore: DirectoryStore {
    let database: any SQLDatabase
    let decodedOrganizations = DecodedRecords<OrganizationRecord>(capacity: 1024)
    let decodedPractitioners = DecodedRecords<PractitionerRecord>(capacity: 1024)
    let decodedLocations = DecodedRecords<LocationRecord>(capacity: 1024)

    public init(database: any SQLDatabase) { self.database = database }

    public func practice(ods: String) async throws -> Practice? {
        try await database.read("SELECT record FROM practices WHERE ods = ?", [.text(ods)])
            .first.map { try RecordCoding.decode(Practice.self, $0) }
    }

    public func practices() async throws -> [Practice] {
        try await database.read("SELECT record FROM practices ORDER BY ods").map { try RecordCoding.decode(Practice.self, $0) }
    }

    public func organization(practice: String, id: String) async throws -> OrganizationRecord? {
        try await database.read("SELECT record FROM organizations WHERE practice = ? AND id = ?", [.text(practice), .text(id)])
            .first.map { try decodedOrganizations.decode($0) }
    }

    public func organizations(practice: String, odsCode: String) async throws -> [OrganizationRecord] {
        try await database.read(
            "SELECT record FROM organizations WHERE practice = ? AND ods = ? ORDER BY id", [.text(practice), .text(odsCode)]
        )
        .map { try decodedOrganizations.decode($0) }
    }

    public func practitioner(practice: String, id: String) async throws -> PractitionerRecord? {
        try await database.read("SELECT record FROM practitioners WHERE practice = ? AND id = ?", [.text(practice), .text(id)])
            .first.map { try decodedPractitioners.decode($0) }
    }

    public func practitioners(practice: String, sdsUserID: String) async throws -> [PractitionerRecord] {
        try await database.read(
            "SELECT record FROM practitioners WHERE practice = ? AND sds_user_id = ? ORDER BY id", [.text(practice), .text(sdsUserID)]
        ).map { try decodedPractitioners.decode($0) }
    }

    public func location(practice: String, id: String) async throws -> LocationRecord? {
        try await database.read("SELECT record FROM locations WHERE practice = ? AND id = ?", [.text(practice), .text(id)])
            .first.map { try decodedLocations.decode($0) }
    }

    public func directoryEntries(practice: String, practitionerIDs: [String], organizationIDs: [String], locationIDs: [String])
        async throws -> (practitioners: [PractitionerRecord], organizations: [OrganizationRecord], locations: [LocationRecord])
    {
        // One statement over the three tables; the `kind` column says which table a row is from.
        let tables = [("practitioners", practitionerIDs), ("organizations", organizationIDs), ("locations", locationIDs)]
        var parts: [String] = []
        var binds: [SQLValue] = []
        for (kind, (table, ids)) in tables.enumerated() where !ids.isEmpty {
            parts.append(
                "SELECT \(kind) AS kind, record FROM \(table) WHERE practice = ? AND id IN ("
                    + Array(repeating: "?", count: ids.count).joined(separator: ", ") + ")")
            binds.append(.text(practice))
            binds += ids.map { .text($0) }
        }
        var found: (practitioners: [PractitionerRecord], organizations: [OrganizationRecord], locations: [LocationRecord]) = ([], [], [])
        guard !parts.isEmpty else { return found }
        for row in try await database.read(parts.joined(separator: " UNION ALL "), binds) {
            switch row.integer("kind") {
            case 0: found.practitioners.append(try decodedPractitioners.decode(row))
            case 1: found.organizations.append(try decodedOrganizations.decode(row))
            case 2: found.locations.append(try decodedLocations.decode(row))
            default: throw StoreError.corrupt("directory row of unknown kind")
            }
        }
        return found
    }

    public func savePractice(_ practice: Practice) async throws {
        try await database.upsert(
            "practices", key: [("ods", .text(practice.ods))],
            columns: [("asid", .text(practice.asid)), ("record", try RecordCoding.encode(practice))])
    }

    public func saveOrganization(_ organization: OrganizationRecord, practice: String) async throws {
        try await database.upsert(
            "organizations", key: [("practice", .text(practice)), ("id", .text(organization.id))],
            columns: [("ods", .text(organization.ods)), ("record", try RecordCoding.encode(organization))])
    }

    public func savePractitioner(_ practitioner: PractitionerRecord, practice: String) async throws {
        try await database.upsert(
            "practitioners", key: [("practice", .text(practice)), ("id", .text(practitioner.id))],
            columns: [("sds_user_id", .text(practitioner.sdsUserID)), ("record", try RecordCoding.encode(practitioner))])
    }

    public func saveLocation(_ location: LocationRecord, practice: String) async throws {
        try await database.upsert(
            "locations", key: [("practice", .text(practice)), ("id", .text(location.id))],
            columns: [("record", try RecordCoding.encode(location))])
    }
}
