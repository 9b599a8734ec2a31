public import GPConnect
public import GPConnectContract

/// ``PatientStore`` on SQLite. The conditional write is a guarded `UPDATE … WHERE version = ?`
/// or an `INSERT` that the `(practice, nhs_number)` and `(practice, id)` keys refuse.
public struct SQLPatientStore: PatientStore {
    let database: any SQLDatabase
    let decoded = DecodedRecords<PatientRecord>()

    public init(database: any SQLDatabase) { self.database = database }

    public func patient(practice: String, id: String) async throws -> PatientRecord? {
        try await database.read("SELECT record FROM patients WHERE practice = ? AND id = ?", [.text(practice), .text(id)])
            .first.map { try decoded.decode($0) }
    }

    public func patients(practice: String, nhsNumber: NHSNumber) async throws -> [PatientRecord] {
        try await database.read(
            "SELECT record FROM patients WHERE practice = ? AND nhs_number = ?", [.text(practice), .text(nhsNumber.value)]
        )
        .map { try decoded.decode($0) }
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
            try await IDSequence.next("patient", table: "patients", practice: practice, connection: connection)
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
        try await database.upsert(
            "demographics", key: [("nhs_number", .text(record.nhsNumber.value))], columns: [("record", try RecordCoding.encode(record))])
    }
}
