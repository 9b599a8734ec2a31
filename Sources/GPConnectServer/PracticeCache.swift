import GPConnect
import Synchronization

/// Practices by ODS code, read once and kept: they change only through the command line.
final class PracticeCache: Sendable {
    let directory: any DirectoryStore
    let allowed: Set<String>
    let cache = Mutex<[String: Practice]>([:])

    init(directory: any DirectoryStore, allowed: [String]) {
        self.directory = directory
        self.allowed = Set(allowed)
    }

    func practice(ods: String) async throws -> Practice? {
        guard allowed.isEmpty || allowed.contains(ods) else { return nil }
        if let hit = cache.withLock({ $0[ods] }) { return hit }
        guard let found = try await directory.practice(ods: ods) else { return nil }
        cache.withLock { $0[ods] = found }
        return found
    }
}
