import FHIR
import GPConnectContract

/// The directory part of a Bundle — the Practitioners, Organizations and Locations its resources
/// refer to — as the structured record and a documents search both gather it.
struct BundleDirectory {
    let stores: Stores

    /// The directory resources of a Bundle, and the practitioners read for them.
    struct Resources {
        /// In the order the references were followed.
        var resources: [FHIRElement] = []
        var practitioners: [String: PractitionerRecord] = [:]

        /// A practitioner already read for the Bundle, or read now.
        func practitioner(_ id: String, practice: String, stores: Stores) async throws -> PractitionerRecord? {
            if let practitioner = practitioners[id] { return practitioner }
            return try await stores.directory.practitioner(practice: practice, id: id)
        }
    }

    /// The Practitioners, Organizations and Locations the references name, each followed by those
    /// its own references name (breadth first, each once). One store call per depth, and the
    /// depths after the first are usually already present.
    ///
    /// - Throws: what the directory store throws.
    func resources(following references: [String], present: Set<String>, practice: String) async throws -> Resources {
        var result = Resources()
        var present = present
        var pending = references
        var read: [String: FHIRElement] = [:]
        var asked = Set<String>()
        var index = 0
        while index < pending.count {
            // Everything still pending that could be a directory resource, in one call.
            var wanted: (practitioners: [String], organizations: [String], locations: [String]) = ([], [], [])
            for reference in pending[index...] where !present.contains(reference) && asked.insert(reference).inserted {
                let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                switch parts[0] {
                case "Practitioner": wanted.practitioners.append(parts[1])
                case "Organization": wanted.organizations.append(parts[1])
                case "Location": wanted.locations.append(parts[1])
                default: break
                }
            }
            if !(wanted.practitioners.isEmpty && wanted.organizations.isEmpty && wanted.locations.isEmpty) {
                let found = try await stores.directory.directoryEntries(
                    practice: practice, practitionerIDs: wanted.practitioners, organizationIDs: wanted.organizations,
                    locationIDs: wanted.locations)
                for practitioner in found.practitioners {
                    result.practitioners[practitioner.id] = practitioner
                    read["Practitioner/\(practitioner.id)"] = practitioner.fhir
                }
                for organization in found.organizations { read["Organization/\(organization.id)"] = organization.fhir }
                for location in found.locations { read["Location/\(location.id)"] = location.fhir }
            }
            let end = pending.count
            while index < end {
                let reference = pending[index]
                index += 1
                guard present.insert(reference).inserted, let resource = read[reference] else { continue }
                result.resources.append(resource)
                pending += References.all(in: resource)
            }
        }
        return result
    }

    /// `CareConnect-GPC-PractitionerRole-1` for the usual GP at the practice. At most one role
    /// per practitioner goes in a Bundle.
    static func practitionerRole(_ practitioner: PractitionerRecord, organizationID: String) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "PractitionerRole", "id": .string("\(practitioner.id)-\(organizationID)")]
        object.append("meta", .meta(version: practitioner.version, profile: Profile.practitionerRole))
        object.append("practitioner", .reference("Practitioner/\(practitioner.id)"))
        object.append("organization", .reference("Organization/\(organizationID)"))
        object.append(
            "code",
            [.codeableConcept(Code(system: CodeSystemURL.sdsJobRoleName, code: "R0260", display: "General Medical Practitioner"))])
        return .object(object)
    }
}
