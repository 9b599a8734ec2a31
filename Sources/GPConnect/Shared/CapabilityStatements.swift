public import FHIR
public import GPConnectContract

/// What the CapabilityStatements say about this server.
public struct ProviderIdentity: Sendable, Equatable {
    public var softwareName: String
    public var softwareVersion: String
    public var publisher: String
    /// `CapabilityStatement.version` per capability. The spec says "the GP Connect version
    /// implemented"; the conformance pack compares it with its App.config
    /// (`gpConnectSpecVersion*`: foundations 1.5.0, structured 1.6.0, documents 1.6.0 — pack
    /// FHIR.feature "Fhir Get Metadata and Check Version of … CapabilityStatement"), so the values
    /// are configuration, defaulting to what the pack expects.
    public var versions: [Capability: String]
    /// Access Record HTML's settings (its Conformance version among them).
    public var careRecord: CareRecordSettings

    public init(
        softwareName: String = "gpconnect-swift", softwareVersion: String = "0.1.0",
        publisher: String = "GP Connect Swift provider",
        versions: [Capability: String] = [.foundations: "1.5.0", .structured: "1.6.0", .documents: "1.6.0"],
        careRecord: CareRecordSettings = CareRecordSettings()
    ) {
        self.softwareName = softwareName
        self.softwareVersion = softwareVersion
        self.publisher = publisher
        self.versions = versions
        self.careRecord = careRecord
    }
}

/// The three CapabilityStatements, one per service root (GP Connect 1.6.2,
/// foundations_use_case_get_the_fhir_capability_statement, accessrecord_structured_get_the_fhir_capability_statement,
/// access_documents_use_case_get_the_fhir_capability_statement).
public enum CapabilityStatements {
    static let operationBase = "https://fhir.nhs.uk/STU3/OperationDefinition/"
    static let structureBase = "https://fhir.nhs.uk/STU3/StructureDefinition/"

    public static func statement(for capability: Capability, identity: ProviderIdentity, date: String) -> FHIRElement {
        if capability == .careRecord { return CareRecordDSTU2.conformance(identity: identity, date: date) }
        var object: FHIRObject = ["resourceType": "CapabilityStatement"]
        object.append("version", .string(identity.versions[capability] ?? "1.6.2"))
        object.append("name", .string(name(capability)))
        object.append("status", "active")
        object.append("date", .string(date))
        object.append("publisher", .string(identity.publisher))
        object.append("description", .string(description(capability)))
        object.append("kind", "capability")
        object.append("software", ["name": .string(identity.softwareName), "version": .string(identity.softwareVersion)])
        object.append("fhirVersion", "3.0.1")
        object.append("acceptUnknown", "both")
        object.append("format", ["application/fhir+json", "application/fhir+xml"])
        object.append("profile", .array(profiles(capability).map { ["reference": .string($0)] }))
        var rest: FHIRObject = ["mode": "server", "security": ["cors": true]]
        rest.append("resource", .array(resources(capability)))
        rest.append(
            "operation",
            .array(
                operations(capability).map { name, definition in
                    ["name": .string(name), "definition": ["reference": .string(definition)]]
                }))
        object.append("rest", [.object(rest)])
        return .object(object)
    }

    static func name(_ capability: Capability) -> String {
        switch capability {
        case .foundations: "GP Connect Foundations and Appointment Management"
        case .structured: "GP Connect Access Record Structured"
        case .documents: "GP Connect Access Document"
        case .careRecord: "GP Connect Access Record HTML"
        }
    }

    static func description(_ capability: Capability) -> String {
        switch capability {
        case .foundations: "Foundations and Appointment Management API of a GP Connect provider"
        case .structured: "Access Record Structured API of a GP Connect provider"
        case .documents: "Access Document API of a GP Connect provider"
        case .careRecord: "Access Record HTML API of a GP Connect provider"
        }
    }

    /// Profiles as the pack's "CapabilityStatement returns correct profile versions" outlines list
    /// them: unversioned on the combined statement, `_history`-pinned on the others.
    static func profiles(_ capability: Capability) -> [String] {
        switch capability {
        case .foundations:
            return [
                "CareConnect-GPC-Patient-1", "CareConnect-GPC-Organization-1", "CareConnect-GPC-Practitioner-1",
                "CareConnect-GPC-PractitionerRole-1", "CareConnect-GPC-Location-1", "GPConnect-OperationOutcome-1",
                "GPConnect-Appointment-1", "GPConnect-Schedule-1", "GPConnect-Slot-1", "CareConnect-GPC-AllergyIntolerance-1",
                "CareConnect-GPC-Medication-1", "CareConnect-GPC-MedicationStatement-1", "CareConnect-GPC-MedicationRequest-1",
                "CareConnect-GPC-List-1", "GPConnect-StructuredRecord-Bundle-1", "CareConnect-GPC-Immunization-1",
                "CareConnect-GPC-ProblemHeader-Condition-1", "CareConnect-GPC-Encounter-1", "CareConnect-GPC-Observation-1",
                "CareConnect-GPC-DiagnosticReport-1", "CareConnect-GPC-Specimen-1", "CareConnect-GPC-ProcedureRequest-1",
                "CareConnect-GPC-ReferralRequest-1",
            ].map { structureBase + $0 } + [Profile.federationTask]
        case .structured:
            return [
                "CareConnect-GPC-Patient-1/_history/1.8", "CareConnect-GPC-Organization-1/_history/1.4",
                "CareConnect-GPC-Practitioner-1/_history/1.2", "CareConnect-GPC-PractitionerRole-1/_history/1.2",
                "CareConnect-GPC-AllergyIntolerance-1/_history/1.7", "CareConnect-GPC-Medication-1/_history/1.2",
                "CareConnect-GPC-MedicationStatement-1/_history/1.7", "CareConnect-GPC-MedicationRequest-1/_history/1.6",
                "CareConnect-GPC-List-1/_history/1.7", "GPConnect-StructuredRecord-Bundle-1/_history/1.3",
                "GPConnect-OperationOutcome-1/_history/1.2", "CareConnect-GPC-Immunization-1/_history/1.5",
                "CareConnect-GPC-ProblemHeader-Condition-1/_history/1.7", "CareConnect-GPC-Encounter-1/_history/1.5",
                "CareConnect-GPC-Observation-1/_history/1.6", "CareConnect-GPC-DiagnosticReport-1/_history/1.3",
                "CareConnect-GPC-Specimen-1/_history/1.3", "CareConnect-GPC-ProcedureRequest-1/_history/1.3",
                "CareConnect-GPC-ReferralRequest-1/_history/1.2", "CareConnect-GPC-DocumentReference-1/_history/1.3",
            ].map { structureBase + $0 } + ["https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-HealthcareService-1/_history/1.0"]
        case .documents:
            return [
                "CareConnect-GPC-Patient-1/_history/1.8", "CareConnect-GPC-Organization-1/_history/1.4",
                "CareConnect-GPC-Practitioner-1/_history/1.2", "CareConnect-GPC-PractitionerRole-1/_history/1.2",
                "GPConnect-OperationOutcome-1/_history/1.2", "CareConnect-GPC-DocumentReference-1/_history/1.3",
                "GPConnect-Searchset-Bundle-1/_history/1.3",
            ].map { structureBase + $0 }
        case .careRecord:
            return []
        }
    }

    static func operations(_ capability: Capability) -> [(String, String)] {
        switch capability {
        case .foundations:
            [
                ("gpc.registerpatient", operationBase + "GPConnect-RegisterPatient-Operation-1"),
                ("gpc.getstructuredrecord", operationBase + "GPConnect-GetStructuredRecord-Operation-1/_history/1.15"),
            ]
        case .structured:
            [
                ("gpc.getstructuredrecord", operationBase + "GPConnect-GetStructuredRecord-Operation-1/_history/1.16"),
                ("gpc.migratestructuredrecord", operationBase + "GPConnect-MigrateStructuredRecord-Operation-1/_history/1.1"),
            ]
        case .documents, .careRecord:
            []
        }
    }

    static func resource(
        _ type: String, _ interactions: [String], updateCreate: Bool? = nil, searchInclude: [String] = [],
        searchParams: [(String, String)] = []
    ) -> FHIRElement {
        var object: FHIRObject = ["type": .string(type)]
        object.append("interaction", .array(interactions.map { ["code": .string($0)] }))
        object.append("updateCreate", updateCreate.map { .bool($0) })
        object.append("searchInclude", .strings(searchInclude))
        object.append("searchParam", .array(searchParams.map { ["name": .string($0.0), "type": .string($0.1)] }))
        return .object(object)
    }

    static func resources(_ capability: Capability) -> [FHIRElement] {
        switch capability {
        case .foundations:
            [
                resource("Patient", ["read", "search-type"], searchParams: [("identifier", "token")]),
                resource("Organization", ["read", "search-type"], searchParams: [("identifier", "token")]),
                resource("Practitioner", ["read", "search-type"], searchParams: [("identifier", "token")]),
                resource("Location", ["read"]),
                resource("Appointment", ["read", "create", "update", "search-type"], updateCreate: false),
                resource(
                    "Slot", ["search-type"],
                    searchInclude: [
                        "Slot:schedule", "Schedule:actor:Practitioner", "Schedule:actor:Location", "Location:managingOrganization",
                    ],
                    searchParams: [("start", "date"), ("end", "date"), ("status", "token"), ("searchFilter", "token")]),
                TaskCapability.resource,
            ]
        case .structured, .careRecord:
            []
        case .documents:
            [
                resource("Patient", ["read", "search-type"], searchParams: [("identifier", "token")]),
                resource("Binary", ["read"]),
                resource(
                    "DocumentReference", ["search-type"],
                    searchInclude: [
                        "DocumentReference:subject:Patient", "DocumentReference:custodian:Organization",
                        "DocumentReference:author:Organization", "DocumentReference:author:Practitioner",
                    ],
                    searchParams: [("created", "date"), ("author", "token"), ("description", "string")]),
            ]
        }
    }
}
