import GPConnectSQL
import ServiceLifecycle

/// Closes the database when the application shuts down.
struct DatabaseService: Service {
    let database: any SQLDatabase

    func run() async throws {
        try? await gracefulShutdown()
        await database.close()
    }
}
