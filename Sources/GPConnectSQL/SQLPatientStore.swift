import GPConnect

/// ``PatientStore`` on SQLite. The conditional write is a guarded `UPDATE … WHERE version = ?`
/// or an `INSERT` that the `(practice, nhs_number)` and `(practice, id)` keys refuse.
public struct SQLPatientStore: PatientStore {
    let database: any SQLDatabase

    public init(database: any SQLDatabase) { self.database = database }

    public func patient(practice: String, id: String) async throws -> PatientRecord? {
        try await database.read("SELECT record FROM patients WHERE practice = ? AND id = ?", [.text(practice), .text(id)])
            .first.map { try RecordCoding.decode(PatientRecord.self, $0) }
    }

    public func patients(practice: String, nhsNumber: NHSNumber) async throws -> [PatientRecord] {
        try await database.read(
            "SELECT record FROM patients WHERE practice = ? AND nhs_number = ?", [.text(practice), .text(nhsNumber.value)]
        )
        .map { try RecordCoding.decode(PatientRecord.self, $0) }
    }

    public func savePatient(_ patient: PatientRecord, practice: String, expectedVersion: String?) async throws {
        let record = try RecordCoding.encode(patient)
        try await database.write { connection in
            if let expectedVersion {
                let updated = try await connection.query(
                    "UPDATE patients SET nhs_number = ?, version = ?, record = ? WHERE practice = ? AND id = ? AND version = ? RETURNING id",
                    [
                        .text(patient.nhsNumber.value), .text(patient.version), record, .text(practice), .text(patient.id),
                        .text(expectedVersion),
                    ])
                guard !updated.isEmpty else { throw StoreError.conflict }
            } else {
                let inserted = try await connection.query(
                    "INSERT INTO patients (practice, id, nhs_number, version, record) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                    [.text(practice), .text(patient.id), .text(patient.nhsNumber.value), .text(patient.version), record])
                guard !inserted.isEmpty else { throw StoreError.conflict }
            }
        }
    }

    public func nextPatientID(practice: String) async throws -> String {
        try await database.write { connection in
            // First use: start after the highest numeric id already present.
            _ = try await connection.query(
                """
                INSERT INTO id_sequences (practice, kind, next)
                SELECT ?, 'patient', COALESCE(MAX(CAST(id AS INTEGER)), 0) + 1 FROM patients WHERE practice = ?
                ON CONFLICT (practice, kind) DO NOTHING
                """, [.text(practice), .text(practice)])
            let rows = try await connection.query(
                "UPDATE id_sequences SET next = next + 1 WHERE practice = ? AND kind = 'patient' RETURNING next - 1 AS id",
                [.text(practice)])
            guard let id = rows.first?.integer("id") else { throw StoreError.corrupt("id sequence") }
            return String(id)
        }
    }
}

/// ``DemographicsStore`` on SQLite: the PDS stand-in.
public struct SQLDemographicsStore: DemographicsStore {
    let database: any SQLDatabase

    public init(database: any SQLDatabase) { self.database = database }

    public func lookup(nhsNumber: NHSNumber) async throws -> DemographicsRecord? {
        try await database.read("SELECT record FROM demographics WHERE nhs_number = ?", [.text(nhsNumber.value)])
            .first.map { try RecordCoding.decode(DemographicsRecord.self, $0) }
    }

    public func saveDemographics(_ record: DemographicsRecord) async throws {
        let encoded = try RecordCoding.encode(record)
        try await database.write { connection in
            _ = try await connection.query(
                "INSERT INTO demographics (nhs_number, record) VALUES (?, ?) ON CONFLICT (nhs_number) DO UPDATE SET record = excluded.record",
                [.text(record.nhsNumber.value), encoded])
        }
    }
}
