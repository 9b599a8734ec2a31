/// What one connection and one consumer may take from the server: time to send a request, time a
/// kept-alive connection may sit idle, how many connections are open at once, how long a URL and
/// its headers may be, and how many requests a consumer ASID may make per second.
///
/// Every limit answers with an OperationOutcome where HTTP still allows an answer (408, 414, 431,
/// 429, 503) and closes the connection otherwise; docs/threat-model.md lists them.
public struct ServerLimits: Sendable, Equatable, Decodable {
    /// Seconds from a request's first byte to its complete line and headers (408, then closed).
    public var headerReadTimeout: Double = 20
    /// Seconds a connection may send nothing — before its first request or after a response (closed, no answer).
    public var idleTimeout: Double = 60
    /// Seconds from a request's headers to the end of its body (408, then closed).
    public var bodyReadTimeout: Double = 60
    /// Connections open at once; one more is answered 503 with `Retry-After` and closed.
    public var maximumConnections: Int = 2048
    /// Longest request target (path and query) in bytes (414).
    public var maximumURILength: Int = 8192
    /// Largest request line plus headers, and largest single header, in bytes (431).
    public var maximumHeaderBytes: Int = 32768
    /// Requests per second each consumer ASID (`Ssp-From`) may make on average; 0 switches the limit off.
    public var rateLimitPerSecond: Double = 0
    /// Requests a consumer ASID may make in a burst above the average; 0 means twice the rate (at least 1).
    public var rateLimitBurst: Double = 0

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var limits = ServerLimits()
        limits.headerReadTimeout = try container.decodeIfPresent(Double.self, forKey: .headerReadTimeout) ?? limits.headerReadTimeout
        limits.idleTimeout = try container.decodeIfPresent(Double.self, forKey: .idleTimeout) ?? limits.idleTimeout
        limits.bodyReadTimeout = try container.decodeIfPresent(Double.self, forKey: .bodyReadTimeout) ?? limits.bodyReadTimeout
        limits.maximumConnections = try container.decodeIfPresent(Int.self, forKey: .maximumConnections) ?? limits.maximumConnections
        limits.maximumURILength = try container.decodeIfPresent(Int.self, forKey: .maximumURILength) ?? limits.maximumURILength
        limits.maximumHeaderBytes = try container.decodeIfPresent(Int.self, forKey: .maximumHeaderBytes) ?? limits.maximumHeaderBytes
        limits.rateLimitPerSecond = try container.decodeIfPresent(Double.self, forKey: .rateLimitPerSecond) ?? limits.rateLimitPerSecond
        limits.rateLimitBurst = try container.decodeIfPresent(Double.self, forKey: .rateLimitBurst) ?? limits.rateLimitBurst
        self = limits
    }

    enum CodingKeys: String, CodingKey {
        case headerReadTimeout, idleTimeout, bodyReadTimeout, maximumConnections, maximumURILength, maximumHeaderBytes
        case rateLimitPerSecond, rateLimitBurst
    }

    /// The first limit that makes no sense, as a sentence for the operator; nil when all are usable.
    public var problem: String? {
        if !(headerReadTimeout > 0) { return "headerReadTimeout must be positive" }
        if !(idleTimeout > 0) { return "idleTimeout must be positive" }
        if !(bodyReadTimeout > 0) { return "bodyReadTimeout must be positive" }
        if maximumConnections < 1 { return "maximumConnections must be at least 1" }
        if maximumURILength < 64 { return "maximumURILength must be at least 64" }
        if maximumHeaderBytes < 1024 { return "maximumHeaderBytes must be at least 1024" }
        if !(rateLimitPerSecond >= 0) { return "rateLimitPerSecond cannot be negative" }
        if !(rateLimitBurst >= 0) { return "rateLimitBurst cannot be negative" }
        return nil
    }
}
