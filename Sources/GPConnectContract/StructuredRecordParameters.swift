public import FHIR

/// The `Parameters` body of `$gpc.getstructuredrecord` and `$gpc.migratestructuredrecord`: the
/// patient's NHS number, then one parameter per clinical area (or `includeFullRecord`) with its
/// parts (nhsconnect/gpconnect feature/1.6.2, accessrecord_structured_development_fhir_operation;
/// accessrecord_structured_development_migrate_patient_record).
public struct StructuredRecordParameters: Sendable, Equatable {
    /// One top-level parameter after `patientNHSNumber`: `includeAllergies`, `includeFullRecord`…
    public struct Parameter: Sendable, Equatable {
        public var name: String
        public var parts: [Part]

        public init(name: String, parts: [Part] = []) {
            self.name = name
            self.parts = parts
        }

        /// A clinical area with the given parts.
        public init(_ area: ClinicalArea, parts: [Part] = []) {
            self.init(name: area.parameter, parts: parts)
        }

        /// `includeAllergies` with `includeResolvedAllergies`.
        public static func allergies(includeResolved: Bool) -> Parameter {
            Parameter(.allergies, parts: [Part(name: "includeResolvedAllergies", value: .boolean(includeResolved))])
        }

        /// `includeMedication`, with `includePrescriptionIssues` when given.
        public static func medication(includePrescriptionIssues: Bool? = nil) -> Parameter {
            Parameter(
                .medications, parts: includePrescriptionIssues.map { [Part(name: "includePrescriptionIssues", value: .boolean($0))] } ?? [])
        }

        /// `includeConsultations` limited to the most recent `count`.
        public static func consultations(mostRecent count: Int) -> Parameter {
            Parameter(.consultations, parts: [Part(name: "includeNumberOfMostRecent", value: .positiveInt(count))])
        }

        /// `includeFullRecord` of the migrate operation, with `includeSensitiveInformation`.
        public static func fullRecord(includeSensitive: Bool) -> Parameter {
            Parameter(name: "includeFullRecord", parts: [Part(name: "includeSensitiveInformation", value: .boolean(includeSensitive))])
        }

        public var fhir: FHIRElement {
            var object: FHIRObject = ["name": .string(name)]
            if !parts.isEmpty { object.append("part", .array(parts.map(\.fhir))) }
            return .object(object)
        }
    }

    /// A part of a parameter: a name and a typed value.
    public struct Part: Sendable, Equatable {
        public enum Value: Sendable, Equatable {
            case boolean(Bool)
            case positiveInt(Int)
            case date(String)
            case period(start: String?, end: String?)
        }

        public var name: String
        public var value: Value

        public init(name: String, value: Value) {
            self.name = name
            self.value = value
        }

        public var fhir: FHIRElement {
            switch value {
            case .boolean(let flag): return ["name": .string(name), "valueBoolean": .bool(flag)]
            case .positiveInt(let count): return ["name": .string(name), "valuePositiveInt": .number(String(count))]
            case .date(let day): return ["name": .string(name), "valueDate": .string(day)]
            case .period(let start, let end):
                var period = FHIRObject()
                period.append("start", start.map { .string($0) })
                period.append("end", end.map { .string($0) })
                return ["name": .string(name), "valuePeriod": .object(period)]
            }
        }
    }

    public var nhsNumber: String
    public var parameters: [Parameter]

    public init(nhsNumber: String, parameters: [Parameter]) {
        self.nhsNumber = nhsNumber
        self.parameters = parameters
    }

    /// The body of `$gpc.migratestructuredrecord`: the whole record, sensitive items only when asked for.
    public static func migration(nhsNumber: String, includeSensitive: Bool) -> StructuredRecordParameters {
        StructuredRecordParameters(nhsNumber: nhsNumber, parameters: [.fullRecord(includeSensitive: includeSensitive)])
    }

    /// The `Parameters` resource.
    public var fhir: FHIRElement {
        let patient: FHIRElement = [
            "name": "patientNHSNumber", "valueIdentifier": ["system": .string(IdentifierSystem.nhsNumber), "value": .string(nhsNumber)],
        ]
        return ["resourceType": "Parameters", "parameter": .array([patient] + parameters.map(\.fhir))]
    }
}
