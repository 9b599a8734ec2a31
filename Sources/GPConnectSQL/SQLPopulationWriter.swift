public import GPConnect
import GPConnectContract

/// Bulk writing of a generated population: many patients, their PDS records and their clinical
/// records in one transaction, with multi-row `INSERT`s. The rows are exactly those
/// ``SQLPatientStore``, ``SQLDemographicsStore`` and ``SQLClinicalRecordStore`` write one by one
/// (same columns, same record coding), so the stores read them back as their own.
public struct SQLPopulationWriter: Sendable {
    let database: any SQLDatabase

    public init(database: any SQLDatabase) { self.database = database }

    /// One patient to write: the practice's record, the PDS record and the clinical items.
    public struct Patient: Sendable {
        public var practice: String
        public var record: PatientRecord
        public var demographics: DemographicsRecord
        public var items: [ClinicalItem]

        public init(practice: String, record: PatientRecord, demographics: DemographicsRecord, items: [ClinicalItem]) {
            self.practice = practice
            self.record = record
            self.demographics = demographics
            self.items = items
        }
    }

    /// A batch with every value encoded and bound, ready to write: preparing (the JSON encoding)
    /// can run on another task while the previous batch is written.
    public struct Batch: Sendable {
        var patients: [[SQLValue]] = []
        var demographics: [[SQLValue]] = []
        var items: [[SQLValue]] = []

        public var patientCount: Int { patients.count }
        public var itemCount: Int { items.count }

        public init(_ patients: [Patient]) throws {
            for patient in patients {
                let record = patient.record
                self.patients.append([
                    .text(patient.practice), .text(record.id), .text(record.nhsNumber.value), .text(record.version),
                    try RecordCoding.encode(record),
                ])
                demographics.append([.text(patient.demographics.nhsNumber.value), try RecordCoding.encode(patient.demographics)])
                for item in patient.items {
                    if item.body == .deferred { throw StoreError.corrupt("clinical item \(item.id) has no body to save") }
                    items.append([
                        .text(patient.practice), .text(item.id), .text(item.patientID), .text(item.kind.rawValue),
                        item.status.map(SQLValue.text) ?? .null, item.start.map(SQLValue.text) ?? .null,
                        item.end.map(SQLValue.text) ?? .null, .text(item.confidentiality.rawValue),
                        .text(item.references.joined(separator: " ")), .text(item.json),
                    ])
                }
            }
        }
    }

    /// Writes a batch in one transaction. A patient already registered (same practice and id, or
    /// same NHS number there) fails the whole batch, so a population is never half re-written.
    public func write(_ batch: Batch) async throws {
        try await database.write { connection in
            try await Self.insert(
                "INSERT INTO patients (practice, id, nhs_number, version, record) VALUES ", rows: batch.patients, suffix: "",
                connection: connection)
            try await Self.insert(
                "INSERT INTO demographics (nhs_number, record) VALUES ", rows: batch.demographics,
                suffix: " ON CONFLICT (nhs_number) DO UPDATE SET record = excluded.record", connection: connection)
            try await Self.insert(
                "INSERT INTO clinical_items (practice, id, patient_id, kind, status, start_date, end_date, confidentiality, refs, resource) VALUES ",
                rows: batch.items, suffix: "", connection: connection)
        }
    }

    /// Bound values per statement: well under SQLite's limit (32,766) and PostgreSQL's (65,535).
    static let bindsPerStatement = 1_000

    static func insert(_ head: String, rows: [[SQLValue]], suffix: String, connection: any SQLConnection) async throws {
        guard let width = rows.first?.count, width > 0 else { return }
        let perStatement = max(1, bindsPerStatement / width)
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        var cached: (count: Int, sql: String)?
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            let sql: String
            if let cached, cached.count == chunk.count {
                sql = cached.sql
            } else {
                sql = head + Array(repeating: tuple, count: chunk.count).joined(separator: ", ") + suffix
                cached = (chunk.count, sql)
            }
            var binds: [SQLValue] = []
            binds.reserveCapacity(chunk.count * width)
            for row in chunk { binds.append(contentsOf: row) }
            _ = try await connection.query(sql, binds)
        }
    }
}
