public import GPConnect
public import GPConnectContract

/// ``ClinicalRecordStore`` on SQL. One indexed read returns a patient's whole record, FHIR bodies
/// stored as JSON beside the columns the filters read.
public struct SQLClinicalRecordStore: ClinicalRecordStore {
    let database: any SQLDatabase

    public init(database: any SQLDatabase) { self.database = database }

    public func items(practice: String, patientID: String) async throws -> [ClinicalItem] {
        try await read(practice: practice, patientID: patientID, bodies: true)
    }

    public func itemIndex(practice: String, patientID: String) async throws -> [ClinicalItem] {
        try await read(practice: practice, patientID: patientID, bodies: false)
    }

    func read(practice: String, patientID: String, bodies: Bool) async throws -> [ClinicalItem] {
        let rows = try await database.read(
            """
            SELECT id, kind, status, start_date, end_date, confidentiality, refs\(bodies ? ", resource" : "") FROM clinical_items
            WHERE practice = ? AND patient_id = ? ORDER BY id
            """, [.text(practice), .text(patientID)])
        return try rows.map { row in
            guard let id = row.text("id"), let kind = row.text("kind").flatMap(ClinicalItem.Kind.init(rawValue:)) else {
                throw StoreError.corrupt("clinical item row")
            }
            let body: ClinicalItem.Body
            if bodies {
                guard let text = row.text("resource") else { throw StoreError.corrupt("clinical item \(id) has no body") }
                body = .json(text)
            } else {
                body = .deferred
            }
            return ClinicalItem(
                id: id, patientID: patientID, kind: kind, status: row.text("status"), start: row.text("start_date"),
                end: row.text("end_date"),
                confidentiality: row.text("confidentiality").flatMap(ClinicalItem.Confidentiality.init(rawValue:)) ?? .none,
                body: body, references: Self.references(row.text("refs")))
        }
    }

    /// The space-separated `refs` column (split on bytes: references are ASCII).
    static func references(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.utf8.split(separator: UInt8(ascii: " ")).compactMap { String($0) }
    }

    public func bodies(practice: String, patientID: String, ids: [String]) async throws -> [String: String] {
        var found: [String: String] = [:]
        for start in stride(from: 0, to: ids.count, by: 400) {
            let chunk = ids[start..<min(ids.count, start + 400)]
            let rows = try await database.read(
                "SELECT id, resource FROM clinical_items WHERE practice = ? AND patient_id = ? AND id IN ("
                    + Array(repeating: "?", count: chunk.count).joined(separator: ", ") + ")",
                [.text(practice), .text(patientID)] + chunk.map { .text($0) })
            for row in rows {
                if let id = row.text("id"), let text = row.text("resource") { found[id] = text }
            }
        }
        return found
    }

    public func recordState(practice: String, patientID: String) async throws -> ClinicalRecordState {
        try await database.read(
            "SELECT record FROM clinical_record_states WHERE practice = ? AND patient_id = ?", [.text(practice), .text(patientID)]
        )
        .first.map { try RecordCoding.decode(ClinicalRecordState.self, $0) } ?? ClinicalRecordState()
    }

    public func save(_ items: [ClinicalItem], practice: String) async throws {
        if let deferred = items.first(where: { $0.body == .deferred }) {
            throw StoreError.corrupt("clinical item \(deferred.id) has no body to save")
        }
        try await database.write { connection in
            for item in items { try await Self.insert(item, practice: practice, connection: connection) }
        }
    }

    /// Writes one item (replacing one with the same id) inside the caller's transaction.
    static func insert(_ item: ClinicalItem, practice: String, connection: any SQLConnection) async throws {
        _ = try await connection.query(
            """
            INSERT INTO clinical_items (practice, id, patient_id, kind, status, start_date, end_date, confidentiality, refs, resource)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (practice, id) DO UPDATE SET patient_id = excluded.patient_id, kind = excluded.kind,
            status = excluded.status, start_date = excluded.start_date, end_date = excluded.end_date,
            confidentiality = excluded.confidentiality, refs = excluded.refs, resource = excluded.resource
            """,
            [
                .text(practice), .text(item.id), .text(item.patientID), .text(item.kind.rawValue),
                item.status.map(SQLValue.text) ?? .null, item.start.map(SQLValue.text) ?? .null,
                item.end.map(SQLValue.text) ?? .null, .text(item.confidentiality.rawValue),
                .text(item.references.joined(separator: " ")), .text(item.json),
            ])
    }

    public func saveRecordState(_ state: ClinicalRecordState, practice: String, patientID: String) async throws {
        try await database.upsert(
            "clinical_record_states", key: [("practice", .text(practice)), ("patient_id", .text(patientID))],
            columns: [("record", try RecordCoding.encode(state))])
    }

    public func disabledAreas(practice: String) async throws -> Set<ClinicalArea> {
        Set(
            try await database.read("SELECT area FROM clinical_area_settings WHERE practice = ?", [.text(practice)])
                .compactMap { $0.text("area").flatMap(ClinicalArea.init(rawValue:)) })
    }

    public func setDisabledAreas(_ areas: Set<ClinicalArea>, practice: String) async throws {
        try await database.write { connection in
            _ = try await connection.query("DELETE FROM clinical_area_settings WHERE practice = ?", [.text(practice)])
            for area in areas.sorted(by: { $0.rawValue < $1.rawValue }) {
                _ = try await connection.query(
                    "INSERT INTO clinical_area_settings (practice, area) VALUES (?, ?)", [.text(practice), .text(area.rawValue)])
            }
        }
    }
}
