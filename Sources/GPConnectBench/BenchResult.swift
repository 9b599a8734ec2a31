import Foundation

/// What one scenario measured: the latency of every successful round, the failed rounds, and
/// the wall-clock seconds it ran.
struct BenchResult: Sendable {
    var latencies: [Double]
    var errors: Int
    var elapsed: Double

    /// The Markdown table row: `| name | requests | req/s | p50 | p90 | p99 | max | errors | ratio× |`.
    func row(_ name: String, throughput: Double, baseline: Double) -> String {
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> String {
            guard !sorted.isEmpty else { return "-" }
            return String(format: "%.2f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000)
        }
        return "| \(name) | \(sorted.count) | \(String(format: "%.0f", throughput)) | \(percentile(0.5)) | \(percentile(0.9)) | "
            + "\(percentile(0.99)) | \(percentile(1.0)) | \(errors) | \(String(format: "%.2f×", throughput / baseline)) |"
    }
}
