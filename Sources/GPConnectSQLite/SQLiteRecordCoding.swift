import Foundation
import GPConnect
import SQLiteNIO

/// Records are stored as JSON documents beside the columns that index them.
enum RecordCoding {
    static func encode<T: Encodable>(_ value: T) throws -> SQLiteData {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .text(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ row: SQLiteRow, column: String = "record") throws -> T {
        guard case .text(let text)? = row.column(column) else { throw StoreError.corrupt("\(T.self) row has no \(column)") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt("\(T.self) row does not decode")
        }
    }
}
