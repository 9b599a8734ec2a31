import Foundation
import GPConnectContract
import HTTPTypes
import Hummingbird
import Synchronization

/// Per consumer ASID (`Ssp-From`) token buckets: each ASID may make `rate` requests a second on
/// average and `burst` at once; one more is refused 429 with `Retry-After` (whole seconds until a
/// request would be admitted). Sits inside ``GPConnectMiddleware``, so the refusal is an
/// OperationOutcome and is audited like any other. `/health`, `/metrics` and `/openapi.json` are
/// not limited.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = GPConnectRequestContext

    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !Self.unlimitedPaths.contains(request.uri.path) else { return try await next(request, context) }
        if let wait = limiter.admit(request.headers[.sspFrom] ?? "") {
            throw GPConnectError(
                .badRequest, "Too many requests from this consumer ASID", status: 429,
                headers: ["Retry-After": String(max(1, Int(wait.rounded(.up))))])
        }
        return try await next(request, context)
    }

    static let unlimitedPaths: Set<String> = ["/health", "/health/ready", "/metrics", "/openapi.json"]
}

/// Token buckets keyed by consumer ASID. The table is bounded: past `maximumKeys` ASIDs, buckets
/// that have refilled (the same as new ones) are dropped, and if every bucket is still in use new
/// ASIDs share one overflow bucket, so forged `Ssp-From` values cannot grow memory without bound.
final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Double
    }

    let rate: Double
    let burst: Double
    let maximumKeys: Int
    private let buckets = Mutex<[String: Bucket]>([:])
    private let clock: @Sendable () -> Double

    init(rate: Double, burst: Double, maximumKeys: Int = 10_000, clock: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.rate = rate
        self.burst = burst > 0 ? burst : max(1, rate * 2)
        self.maximumKeys = maximumKeys
        self.clock = clock
    }

    static func monotonicSeconds() -> Double { ProcessInfo.processInfo.systemUptime }

    /// Takes a token for `asid`: nil when admitted, otherwise the seconds until one is available.
    func admit(_ asid: String) -> Double? {
        let now = clock()
        let key = asid.utf8.count <= 32 ? asid : "?"
        return buckets.withLock { table in
            var key = key
            if table[key] == nil, table.count >= maximumKeys {
                table = table.filter { min(burst, $0.value.tokens + (now - $0.value.updated) * rate) < burst }
                if table.count >= maximumKeys { key = "\u{0}overflow" }
            }
            var bucket = table[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            defer { table[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) / rate
        }
    }
}
