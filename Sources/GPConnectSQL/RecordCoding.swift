import Foundation
import GPConnect
import GPConnectContract

/// Records are stored as JSON documents beside the columns that index them.
enum RecordCoding {
    static func encode<T: Encodable>(_ value: T) throws -> SQLValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .text(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ row: SQLRow, column: String = "record") throws -> T {
        guard let text = row.text(column) else { throw StoreError.corrupt("\(T.self) row has no \(column)") }
        return try decode(type, text: text)
    }

    static func decode<T: Decodable>(_ type: T.Type, text: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt("\(T.self) row does not decode")
        }
    }
}
