public import FHIR
import GPConnectContract

/// A Task read from an answer, for display.
public struct TaskSummary: Sendable, Equatable {
    /// The ODS code of the practice that owns it.
    public var practice: String
    public var id: String?
    public var version: String?
    public var status: String?
    public var priority: String?
    public var type: String?
    public var description: String?
    public var due: String?
    public var lastModified: String?
    /// Why it was rejected, failed or cancelled.
    public var statusReason: String?
    /// What was done.
    public var output: String?
    public var notes: [String]

    public init(_ task: FHIRElement, practice: String? = nil) {
        self.practice = practice ?? task["owner"]?["identifier"]?["value"]?.string ?? "-"
        id = task["id"]?.string
        version = task["meta"]?["versionId"]?.string
        status = task["status"]?.string
        priority = task["priority"]?.string
        let coding = task["code"]?["coding"]?.items.first
        type = coding?["code"]?.string.flatMap(TaskType.init(snomedCode:))?.rawValue ?? coding?["display"]?.string
        description = task["description"]?.string
        due = task["restriction"]?["period"]?["end"]?.string
        lastModified = task["lastModified"]?.string
        statusReason = task["statusReason"]?["text"]?.string
        output = task["output"]?.items.first?["valueString"]?.string
        notes = (task["note"]?.items ?? []).compactMap { note in
            note["text"]?.string.map { text in note["authorString"]?.string.map { "\($0): \(text)" } ?? text }
        }
    }
}
