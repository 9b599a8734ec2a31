import Foundation
import GPConnect
import GPConnectContract
public import GPConnectPostgres
import GPConnectSQL

/// A real PostgreSQL server for the tests, named by `GPCONNECT_TEST_POSTGRES`
/// (`postgres://user:password@127.0.0.1:port/postgres`; `.ci/run` starts one). Tests that need it
/// are disabled when it is not set.
public enum TestPostgres {
    public static let adminURL = ProcessInfo.processInfo.environment["GPCONNECT_TEST_POSTGRES"]
    public static var available: Bool { adminURL != nil }

    /// A new, empty, migrated database of its own.
    public static func freshDatabase() async throws -> (GPConnectPostgresDatabase, String) {
        guard let adminURL, var components = URLComponents(string: adminURL) else {
            throw StoreError.corrupt("GPCONNECT_TEST_POSTGRES is not set")
        }
        let name = "gpc_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try await GPConnectPostgresDatabase.open(url: adminURL)
        _ = try await admin.read("CREATE DATABASE \(name)")
        await admin.close()
        components.path = "/" + name
        let url = components.string ?? adminURL
        return (try await GPConnectPostgresDatabase.open(url: url), url)
    }

    /// Drops a database made by ``freshDatabase()`` once every handle on it is closed. Only
    /// names this type made (`gpc_…`) are dropped.
    public static func dropDatabase(url: String) async throws {
        guard let adminURL, let name = URLComponents(string: url)?.path.dropFirst(), name.hasPrefix("gpc_"),
            name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
        else { return }
        let admin = try await GPConnectPostgresDatabase.open(url: adminURL)
        do {
            _ = try await admin.read("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
    }
}
