import CoreMetrics
import GPConnectSQL
import Metrics
import Synchronization

/// The database seam with every read and write transaction counted and timed, and the writes
/// waiting or running (the single SQLite writer's queue, PostgreSQL's in-flight transactions)
/// as a gauge. Labels are the operation and its outcome only, never SQL or bound values.
final class MeasuredSQLDatabase: SQLDatabase {
    let base: any SQLDatabase
    let factory: any MetricsFactory
    private let writesInFlight = Atomic<Int>(0)
    private let writeGauge: Gauge

    init(base: any SQLDatabase, factory: any MetricsFactory) {
        self.base = base
        self.factory = factory
        writeGauge = Gauge(label: "gpconnect_db_writes_in_flight", factory: factory)
        writeGauge.record(0)
    }

    var dialect: SQLDialect { base.dialect }

    func read(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let started = ContinuousClock.now
        do {
            let rows = try await base.read(sql, binds)
            record("read", ok: true, since: started)
            return rows
        } catch {
            record("read", ok: false, since: started)
            throw error
        }
    }

    func write<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        writeGauge.record(writesInFlight.wrappingAdd(1, ordering: .relaxed).newValue)
        defer { writeGauge.record(writesInFlight.wrappingSubtract(1, ordering: .relaxed).newValue) }
        do {
            let result = try await base.write(body)
            record("write", ok: true, since: started)
            return result
        } catch {
            record("write", ok: false, since: started)
            throw error
        }
    }

    func close() async { await base.close() }

    private func record(_ operation: String, ok: Bool, since started: ContinuousClock.Instant) {
        let dimensions = [("operation", operation), ("outcome", ok ? "ok" : "error")]
        Counter(label: "gpconnect_db_operations_total", dimensions: dimensions, factory: factory).increment()
        Timer(label: "gpconnect_db_duration_seconds", dimensions: [("operation", operation)], factory: factory)
            .record(duration: ContinuousClock.now - started)
    }
}

extension Storage {
    /// Nil when the database answers and every bundled migration is applied; otherwise why not,
    /// in words fit for a load balancer's log (no location, no credentials).
    public func readiness() async -> String? {
        let applied: Set<Int>
        do {
            applied = Set(try await schemaVersions().map(\.version))
        } catch {
            return "the database does not answer"
        }
        guard let expected = try? SQLMigrations.bundled().map(\.version) else { return "the migrations cannot be read" }
        let missing = expected.filter { !applied.contains($0) }
        return missing.isEmpty ? nil : "migrations not applied: " + missing.map(String.init).joined(separator: ", ")
    }
}
