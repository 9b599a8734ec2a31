import GPConnect

/// ``DirectoryStore`` on SQLite.
public struct SQLDirectoryStore: DirectoryStore {
    let database: any SQLDatabase

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
            .first.map { try RecordCoding.decode(OrganizationRecord.self, $0) }
    }

    public func organizations(practice: String, odsCode: String) async throws -> [OrganizationRecord] {
        try await database.read(
            "SELECT record FROM organizations WHERE practice = ? AND ods = ? ORDER BY id", [.text(practice), .text(odsCode)]
        )
        .map { try RecordCoding.decode(OrganizationRecord.self, $0) }
    }

    public func practitioner(practice: String, id: String) async throws -> PractitionerRecord? {
        try await database.read("SELECT record FROM practitioners WHERE practice = ? AND id = ?", [.text(practice), .text(id)])
            .first.map { try RecordCoding.decode(PractitionerRecord.self, $0) }
    }

    public func practitioners(practice: String, sdsUserID: String) async throws -> [PractitionerRecord] {
        try await database.read(
            "SELECT record FROM practitioners WHERE practice = ? AND sds_user_id = ? ORDER BY id", [.text(practice), .text(sdsUserID)]
        ).map { try RecordCoding.decode(PractitionerRecord.self, $0) }
    }

    public func location(practice: String, id: String) async throws -> LocationRecord? {
        try await database.read("SELECT record FROM locations WHERE practice = ? AND id = ?", [.text(practice), .text(id)])
            .first.map { try RecordCoding.decode(LocationRecord.self, $0) }
    }

    public func savePractice(_ practice: Practice) async throws {
        let record = try RecordCoding.encode(practice)
        try await database.write { connection in
            _ = try await connection.query(
                "INSERT INTO practices (ods, asid, record) VALUES (?, ?, ?) ON CONFLICT (ods) DO UPDATE SET asid = excluded.asid, record = excluded.record",
                [.text(practice.ods), .text(practice.asid), record])
        }
    }

    public func saveOrganization(_ organization: OrganizationRecord, practice: String) async throws {
        let record = try RecordCoding.encode(organization)
        try await database.write { connection in
            _ = try await connection.query(
                "INSERT INTO organizations (practice, id, ods, record) VALUES (?, ?, ?, ?) ON CONFLICT (practice, id) DO UPDATE SET ods = excluded.ods, record = excluded.record",
                [.text(practice), .text(organization.id), .text(organization.ods), record])
        }
    }

    public func savePractitioner(_ practitioner: PractitionerRecord, practice: String) async throws {
        let record = try RecordCoding.encode(practitioner)
        try await database.write { connection in
            _ = try await connection.query(
                "INSERT INTO practitioners (practice, id, sds_user_id, record) VALUES (?, ?, ?, ?) ON CONFLICT (practice, id) DO UPDATE SET sds_user_id = excluded.sds_user_id, record = excluded.record",
                [.text(practice), .text(practitioner.id), .text(practitioner.sdsUserID), record])
        }
    }

    public func saveLocation(_ location: LocationRecord, practice: String) async throws {
        let record = try RecordCoding.encode(location)
        try await database.write { connection in
            _ = try await connection.query(
                "INSERT INTO locations (practice, id, record) VALUES (?, ?, ?) ON CONFLICT (practice, id) DO UPDATE SET record = excluded.record",
                [.text(practice), .text(location.id), record])
        }
    }
}
