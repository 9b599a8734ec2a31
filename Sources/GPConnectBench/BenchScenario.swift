public import AsyncHTTPClient

/// One measured operation: a request (or, for book+cancel, two) made by one worker.
public struct BenchScenario: Sendable {
    public var name: String
    /// Makes one round; returns the seconds the measured request took, or nil when it failed.
    /// `worker` lets a scenario give each worker its own data (its own slot to book).
    public var run: @Sendable (HTTPClient, _ worker: Int) async throws -> Double?

    public init(name: String, run: @escaping @Sendable (HTTPClient, _ worker: Int) async throws -> Double?) {
        self.name = name
        self.run = run
    }
}
