import FHIR
import Synchronization

/// Clinical item bodies already parsed, by the exact stored JSON they were parsed from.
///
/// Every structured response, HTML view and migration still reads its items from the store (so a
/// change filed by any process is seen at once: the stored text is the key, not the item's id),
/// but a body whose text was parsed before is not parsed again — parsing every item was a large
/// share of a structured record (see the perf note). Bounded: when full it starts again empty, so
/// memory stays under `capacity` bodies whatever the population.
enum DecodedBodies {
    static let capacity = 8192
    static let entries = Mutex<[String: FHIRElement]>([:])

    static func decode(_ text: String) throws(FHIRDecodingError) -> FHIRElement {
        if let hit = entries.withLock({ $0[text] }) { return hit }
        let element = try FHIRJSON.decode(text.utf8)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[text] = element
        }
        return element
    }
}
