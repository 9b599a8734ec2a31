import Foundation
import GPConnect
import Synchronization

/// Records already decoded, by the exact JSON text they were decoded from.
///
/// A read still goes to the database every time (so another process's write, or an update in
/// this one, is seen at once: the stored text is the key, not the record's id), but a row whose
/// text was decoded before is not decoded again. `JSONDecoder` was the largest single cost of a
/// Patient read after the HTTP stack (callgrind, see the perf note). Bounded: when full, the
/// cache starts again empty, so a population far larger than the cache costs one decode per read,
/// as before, and never more memory than `capacity` records.
final class DecodedRecords<Record: Decodable & Sendable>: Sendable {
    let capacity: Int
    let entries = Mutex<[String: Record]>([:])

    init(capacity: Int = 4096) { self.capacity = capacity }

    func decode(_ row: SQLRow, column: String = "record") throws -> Record {
        guard let text = row.text(column) else { throw StoreError.corrupt("\(Record.self) row has no \(column)") }
        if let hit = entries.withLock({ $0[text] }) { return hit }
        let record = try RecordCoding.decode(Record.self, text: text)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[text] = record
        }
        return record
    }
}
