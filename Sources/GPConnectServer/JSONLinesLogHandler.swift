import FHIR
import Foundation
public import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line (`gpconnect serve --log-format json`):
/// `{"time":…,"level":…,"label":…,"message":…,"trace":…, …}` — the request's `Ssp-TraceID` as
/// `trace`, as the server logs it, so a log pipeline can join every line of one exchange. It writes
/// only what the server logs, which is never patient data (trace id, interaction, status, Spine code).
public struct JSONLinesLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLinesLogHandler.standardOutput) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        let explicit = event.metadata
        var line: FHIRObject = [
            "time": .string(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())),
            "level": .string(level.rawValue), "label": .string(label), "message": .string(message.description),
        ]
        let merged = metadata.merging(explicit ?? [:]) { _, new in new }
        for key in merged.keys.sorted() where line[key] == nil {
            line[key] = .string(merged[key].map { "\($0)" } ?? "")
        }
        write(FHIRJSON.encodeString(.object(line)))
    }

    private static let output = Mutex(())

    public static let standardOutput: @Sendable (String) -> Void = { line in
        output.withLock { _ in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }
}
