import GPConnectStorage
import ServiceLifecycle

/// Closes the database when the application shuts down.
struct StorageService: Service {
    let storage: Storage

    func run() async throws {
        try? await gracefulShutdown()
        await storage.close()
    }
}
