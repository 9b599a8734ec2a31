import GPConnect
import GPConnectContract

extension SQLDatabase {
    /// Inserts a row, or replaces every non-key column of the row with the same key. Table and
    /// column names are the stores' own constants, never input.
    func upsert(_ table: String, key: [(String, SQLValue)], columns: [(String, SQLValue)]) async throws {
        let names = (key + columns).map(\.0)
        let sql =
            "INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: names.count).joined(separator: ", "))) "
            + "ON CONFLICT (\(key.map(\.0).joined(separator: ", "))) DO UPDATE SET "
            + columns.map { "\($0.0) = excluded.\($0.0)" }.joined(separator: ", ")
        let binds = (key + columns).map(\.1)
        try await write { connection in _ = try await connection.query(sql, binds) }
    }
}

/// Per-practice counters for new logical ids (`id_sequences`).
enum IDSequence {
    /// The `id` column as a number when it is one (1 to 18 digits), else NULL: FHIR logical ids
    /// need not be numbers. Written for both dialects: a bare `CAST(id AS INTEGER)` is 0 for
    /// `nurse-1` on SQLite but an error on PostgreSQL (and overflows there past 2^31).
    static let numericID = "CASE WHEN LENGTH(id) BETWEEN 1 AND 18 AND LENGTH(TRIM(id, '0123456789')) = 0 THEN CAST(id AS BIGINT) END"

    /// The practice's next id of `kind`, inside the caller's transaction. The first use starts
    /// after the highest numeric id already in `table`; the row lock on the counter serialises
    /// concurrent callers in every process.
    static func next(_ kind: String, table: String, practice: String, connection: any SQLConnection) async throws -> String {
        let rows = try await connection.query(
            """
            INSERT INTO id_sequences (practice, kind, next)
            SELECT ?, ?, COALESCE(MAX(\(numericID)), 0) + 2 FROM \(table) WHERE practice = ?
            ON CONFLICT (practice, kind) DO UPDATE SET next = id_sequences.next + 1
            RETURNING next - 1 AS id
            """, [.text(practice), .text(kind), .text(practice)])
        guard let id = rows.first?.integer("id") else { throw StoreError.corrupt("id sequence") }
        return String(id)
    }
}
