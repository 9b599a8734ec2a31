public import AsyncHTTPClient

/// One measured operation: a request (or, for book+cancel, two) made by one worker.
public struct BenchScenario: Sendable {
    public var name: String
    /// Makes one round; returns the seconds the measured request took, or nil when it failed.
    /// `worker` lets a scenario give each worker its own data (its own slot to book).
    public var run: @Sendable (HTTPClient, _ worker: Int) async throws -> Double?
    /// At most this many workers (a download of hundreds of megabytes is measured four at a time).
    public var maximumWorkers: Int?
    /// The bytes each round downloads, for a throughput in MB/s.
    public var bytesPerRound: Int?

    public init(
        name: String, maximumWorkers: Int? = nil, bytesPerRound: Int? = nil,
        run: @escaping @Sendable (HTTPClient, _ worker: Int) async throws -> Double?
    ) {
        self.name = name
        self.maximumWorkers = maximumWorkers
        self.bytesPerRound = bytesPerRound
        self.run = run
    }
}
