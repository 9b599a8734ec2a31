import CoreMetrics
import Foundation
import Metrics
import NIOCore
public import Prometheus

/// One server's metrics, in Prometheus text format on `/metrics`.
///
/// The server records through swift-metrics with a factory over a registry of its own, rather than
/// through the process-wide bootstrap, so that several servers in one process (the tests, a
/// benchmark) count apart. Labels are bounded sets — interaction names, HTTP status, Spine code,
/// refusal reasons — never a path, an id, an NHS number or a trace id.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory
    let openConnections: CoreMetrics.Gauge

    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
            .seconds(10),
        ]
        factory.valueHistogramBuckets["gpconnect_audit_append_batch_size"] = [1, 2, 4, 8, 16, 32, 64]
        self.registry = registry
        self.factory = factory
        openConnections = CoreMetrics.Gauge(label: "gpconnect_open_connections", factory: factory)
        openConnections.record(0)
    }

    /// One answered request: by interaction (`none` before routing), status and Spine code (`none` when served).
    func request(interaction: String, status: Int, spineCode: String?, duration: Duration) {
        CoreMetrics.Counter(
            label: "gpconnect_requests_total",
            dimensions: [("interaction", interaction), ("status", String(status)), ("spine_code", spineCode ?? "none")],
            factory: factory
        ).increment()
        CoreMetrics.Timer(label: "gpconnect_request_duration_seconds", dimensions: [("interaction", interaction)], factory: factory)
            .record(duration: duration)
    }

    /// One audit-trail append, from the request's side: its wait for a batch and the batch's commit.
    /// (The batch sizes themselves are recorded by the store, `gpconnect_audit_append_batch_size`.)
    func auditAppend(duration: Duration, failed: Bool) {
        CoreMetrics.Timer(
            label: "gpconnect_audit_append_duration_seconds", dimensions: [("outcome", failed ? "error" : "ok")], factory: factory
        )
        .record(duration: duration)
    }

    /// One slot-release run of a practice's diary: how many slots it added, and how long it took.
    func slotRelease(added: Int, duration: Duration, failed: Bool) {
        CoreMetrics.Counter(
            label: "gpconnect_slot_release_runs_total", dimensions: [("outcome", failed ? "error" : "ok")], factory: factory
        )
        .increment()
        if !failed { CoreMetrics.Counter(label: "gpconnect_slot_release_slots_total", factory: factory).increment(by: added) }
        CoreMetrics.Timer(label: "gpconnect_slot_release_duration_seconds", factory: factory).record(duration: duration)
    }

    /// An answer given by the connection layer, or a connection closed by a timeout.
    func refusal(_ reason: String) {
        CoreMetrics.Counter(label: "gpconnect_connection_refusals_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    func connections(_ count: Int) {
        openConnections.record(count)
    }

    /// The exposition text, as `/metrics` answers it.
    public var exposition: String { String(decoding: emitted(), as: UTF8.self) }

    /// The exposition text, for `/metrics`.
    func text() -> ByteBuffer { ByteBuffer(bytes: emitted()) }

    private func emitted() -> [UInt8] {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return bytes
    }
}
