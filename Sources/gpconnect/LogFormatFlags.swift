import ArgumentParser
import Foundation
import GPConnectServer
import Logging

/// `--log-format text|json`: swift-log's console lines, or one JSON object per line keyed by trace id.
struct LogFormatFlags: ParsableArguments {
    @Option(name: .long, help: "Log format: text or json (JSON lines with the Ssp-TraceID as \"trace\"; env GPCONNECT_LOG_FORMAT).")
    var logFormat: String?

    /// Sets the process's log handler; call once, before anything logs.
    func bootstrap() throws {
        switch logFormat ?? ProcessInfo.processInfo.environment["GPCONNECT_LOG_FORMAT"] ?? "text" {
        case "text": break
        case "json": LoggingSystem.bootstrap { JSONLinesLogHandler(label: $0) }
        case let other: throw ValidationError("Unknown log format \(other): text or json")
        }
    }
}
