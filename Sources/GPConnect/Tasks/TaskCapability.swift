import FHIR
import GPConnectContract

/// How the Foundations CapabilityStatement describes tasks between federated practices: this
/// project's own profile and interactions, said to be so.
enum TaskCapability {
    static let documentation = """
        Tasks between federated practices: an extension of this provider, not an NHS England \
        interaction or profile. A requester (from the audit JWT) sends a task about a patient \
        registered here; the practice works it (requested, received, accepted or rejected, \
        in-progress, completed or failed) and the requester reads or searches for its outcome, \
        or cancels it before it is started. Profile \(Profile.federationTask); Ssp-InteractionID \
        values \(Interaction.createTask.id), \(Interaction.readTask.id), \(Interaction.searchTasks.id) \
        and \(Interaction.cancelTask.id). Task.code is one SNOMED CT concept of: \
        \(TaskType.allCases.map { "\($0.snomedCode) \($0.display) (\($0.rawValue))" }.joined(separator: ", ")). \
        Search: requester (ODS code), status (comma-separated), _lastUpdated (ge, gt, le, lt).
        """

    static var resource: FHIRElement {
        var object: FHIRObject = ["type": "Task"]
        object.append("profile", ["reference": .string(Profile.federationTask)])
        object.append("documentation", .string(documentation))
        object.append("interaction", [["code": "read"], ["code": "create"], ["code": "update"], ["code": "search-type"]])
        object.append("versioning", "versioned")
        object.append("updateCreate", .bool(false))
        object.append("conditionalUpdate", .bool(true))
        object.append(
            "searchParam",
            [
                ["name": "requester", "type": "reference"], ["name": "status", "type": "token"],
                ["name": "_lastUpdated", "type": "date"],
            ])
        return .object(object)
    }
}
