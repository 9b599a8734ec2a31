import GPConnectSQLite
import ServiceLifecycle

/// Closes the database when the application shuts down.
struct DatabaseService: Service {
    let database: GPConnectSQLiteDatabase

    func run() async throws {
        try? await gracefulShutdown()
        await database.close()
    }
}
