import ArgumentParser
import GPConnectServer

/// `serve`'s connection and rate limits; each falls back to the configuration file's `limits`
/// object, then to the defaults of ``ServerLimits``.
struct LimitFlags: ParsableArguments {
    @Option(name: .long, help: "Seconds from a request's first byte to its complete headers (default 20).")
    var headerTimeout: Double?
    @Option(name: .long, help: "Seconds a connection may send nothing, before or between requests (default 60).")
    var idleTimeout: Double?
    @Option(name: .long, help: "Seconds from a request's headers to the end of its body (default 60).")
    var bodyTimeout: Double?
    @Option(name: .long, help: "Connections open at once; more are answered 503 (default 2048).")
    var maxConnections: Int?
    @Option(name: .long, help: "Longest request URL in bytes, answered 414 beyond (default 8192).")
    var maxUrlLength: Int?
    @Option(name: .long, help: "Largest request line and headers in bytes, answered 431 beyond (default 32768).")
    var maxHeaderBytes: Int?
    @Option(name: .long, help: "Requests per second per consumer ASID, answered 429 beyond (default 0: no limit).")
    var rateLimit: Double?
    @Option(name: .long, help: "Requests a consumer ASID may make in a burst (default twice --rate-limit).")
    var rateBurst: Double?
    @Flag(name: .long, help: .hidden) var withoutOperationsLayer = false

    func limits(file: ServerLimits?) throws -> ServerLimits {
        var limits = file ?? ServerLimits()
        if let headerTimeout { limits.headerReadTimeout = headerTimeout }
        if let idleTimeout { limits.idleTimeout = idleTimeout }
        if let bodyTimeout { limits.bodyReadTimeout = bodyTimeout }
        if let maxConnections { limits.maximumConnections = maxConnections }
        if let maxUrlLength { limits.maximumURILength = maxUrlLength }
        if let maxHeaderBytes { limits.maximumHeaderBytes = maxHeaderBytes }
        if let rateLimit { limits.rateLimitPerSecond = rateLimit }
        if let rateBurst { limits.rateLimitBurst = rateBurst }
        if let problem = limits.problem { throw ValidationError("Limits: \(problem)") }
        return limits
    }
}
