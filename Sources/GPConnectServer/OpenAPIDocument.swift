import FHIR
import GPConnectContract

/// The OpenAPI 3.0 description of every interaction this server serves, served at
/// `/openapi.json`. Built from the contract's interaction table (paths, methods, Spine interaction
/// ids, scopes, FHIR versions), so it cannot drift from the routes: a new interaction appears here
/// with its root, method and id, and ``queryParameters(_:)`` does not compile without its row.
///
/// Interactions that share a method and path (amend and cancel on `PUT Appointment/{id}`, read and
/// migrate on `GET Binary/{id}`) are one operation whose `Ssp-InteractionID` lists both.
enum OpenAPIDocument {
    static func build(softwareVersion: String) -> FHIRElement {
        var paths = FHIRObject()
        var operations: [String: [Interaction]] = [:]
        var order: [String] = []
        for interaction in Interaction.allCases {
            let key = interaction.method.rawValue + " " + templatePath(interaction)
            if operations[key] == nil { order.append(key) }
            operations[key, default: []].append(interaction)
        }
        for key in order {
            guard let group = operations[key], let first = group.first else { continue }
            let path = templatePath(first)
            var item = paths[path]?.object ?? FHIRObject()
            item[first.method.rawValue.lowercased()] = operation(group)
            paths[path] = .object(item)
        }
        return [
            "openapi": "3.0.3",
            "info": [
                "title": "GP Connect provider",
                "version": .string(softwareVersion),
                "description": """
                GP Connect (NHS England) provider API: Foundations and Appointment Management 1.2.x, Access Record \
                Structured and Access Document 1.6.x on STU3 roots, Access Record HTML 0.7.4 on a DSTU2 root. Every \
                request needs the Spine headers and the audit JWT; every refusal is an OperationOutcome with a Spine \
                error code and Cache-Control: no-store.
                """,
            ],
            "servers": [["url": "/"]],
            "paths": .object(paths),
            "components": components,
        ]
    }

    /// `/{ods}/STU3/1/gpconnect/fhir/Patient/{id}`.
    static func templatePath(_ interaction: Interaction) -> String {
        "/{ods}/" + interaction.capability.rootPath + "/" + interaction.path
    }

    static func operation(_ group: [Interaction]) -> FHIRElement {
        guard let first = group.first else { return [:] }
        let ids = group.map { FHIRElement.string($0.id) }
        var parameters: [FHIRElement] = [
            ["$ref": "#/components/parameters/ods"],
            ["$ref": "#/components/parameters/SspTraceID"],
            ["$ref": "#/components/parameters/SspFrom"],
            ["$ref": "#/components/parameters/SspTo"],
            [
                "name": "Ssp-InteractionID", "in": "header", "required": true,
                "schema": ["type": "string", "enum": .array(ids)],
            ],
            ["$ref": "#/components/parameters/Authorization"],
            ["$ref": "#/components/parameters/format"],
        ]
        if first.path.contains("{id}") { parameters.append(["$ref": "#/components/parameters/id"]) }
        for parameter in queryParameters(first) {
            var schema: FHIRObject = ["type": "string"]
            if let pattern = parameter.pattern { schema["pattern"] = .string(pattern) }
            var object: FHIRObject = [
                "name": .string(parameter.name), "in": "query", "required": .bool(parameter.required),
                "description": .string(parameter.description),
            ]
            if parameter.repeats {
                object["schema"] = ["type": "array", "items": .object(schema)]
                object["style"] = "form"
                object["explode"] = true
            } else {
                object["schema"] = .object(schema)
            }
            parameters.append(.object(object))
        }
        let version = first.capability.fhirVersion
        let resourceSchema: FHIRElement = ["$ref": "#/components/schemas/Resource"]
        var responses: FHIRObject = [
            first.spec.effect == .write && first.method == .POST ? "201" : "200": [
                "description": .string(group.map { $0.rawValue }.joined(separator: " / ") + ": the resource or Bundle"),
                "headers": ["Cache-Control": ["$ref": "#/components/headers/CacheControl"]],
                "content": content(version, schema: resourceSchema),
            ]
        ]
        if first.method == .PUT || first.method == .POST {
            responses["200"] = [
                "description": "The resource (an amend, cancel or operation answer)",
                "headers": ["Cache-Control": ["$ref": "#/components/headers/CacheControl"]],
                "content": content(version, schema: resourceSchema),
            ]
        }
        let refusal: FHIRElement = [
            "description": "A refusal: an OperationOutcome with the Spine error code",
            "headers": ["Cache-Control": ["$ref": "#/components/headers/CacheControl"]],
            "content": content(version, schema: ["$ref": "#/components/schemas/OperationOutcome"]),
        ]
        for status in ["400", "401", "403", "404", "405", "406", "408", "409", "413", "414", "415", "422", "429", "431", "500", "503"] {
            responses[status] = refusal
        }
        var object: FHIRObject = [
            "operationId": .string(group.map(\.rawValue).joined(separator: "Or")),
            "summary": .string(group.map { "\($0.rawValue) (\($0.id))" }.joined(separator: "; ")),
            "tags": [.string(first.capability.rawValue)],
            "parameters": .array(parameters),
            "responses": .object(responses),
        ]
        if first.method != .GET {
            object["requestBody"] = [
                "required": true,
                "content": content(version, schema: resourceSchema),
            ]
        }
        return .object(object)
    }

    static func content(_ version: FHIRVersion, schema: FHIRElement) -> FHIRElement {
        switch version {
        case .stu3: ["application/fhir+json": ["schema": schema], "application/fhir+xml": ["schema": ["type": "string"]]]
        case .dstu2: ["application/json+fhir": ["schema": schema], "application/xml+fhir": ["schema": ["type": "string"]]]
        }
    }

    struct QueryParameter {
        var name: String
        var required = false
        var repeats = false
        var pattern: String?
        var description: String
    }

    /// The search parameters each interaction takes (GP Connect 1.2.x / 1.6.x use case pages).
    static func queryParameters(_ interaction: Interaction) -> [QueryParameter] {
        let identifier = { (system: String) in
            QueryParameter(name: "identifier", required: true, pattern: "^" + system + "\\|.+$", description: "\(system)|{value}")
        }
        switch interaction {
        case .searchPatient, .searchDocumentsPatient: return [identifier("https://fhir.nhs.uk/Id/nhs-number")]
        case .searchPractitioner: return [identifier("https://fhir.nhs.uk/Id/sds-user-id")]
        case .searchOrganization: return [identifier("https://fhir.nhs.uk/Id/ods-organization-code")]
        case .searchFreeSlots:
            return [
                QueryParameter(name: "start", required: true, description: "ge{date}: the first day searched"),
                QueryParameter(name: "end", required: true, description: "le{date}: the last day searched"),
                QueryParameter(name: "status", required: true, description: "free"),
                QueryParameter(name: "_include", repeats: true, description: "Slot:schedule, Schedule:actor:Practitioner, …"),
                QueryParameter(name: "_include:recurse", repeats: true, description: "Schedule:actor:Practitioner"),
                QueryParameter(name: "searchFilter", repeats: true, description: "{system}|{code}: booking organisation and type"),
            ]
        case .searchPatientAppointments:
            return [QueryParameter(name: "start", repeats: true, description: "ge{date} and le{date}: the period searched")]
        case .searchDocuments:
            return [
                QueryParameter(name: "_include", repeats: true, description: "DocumentReference:subject:Patient, …"),
                QueryParameter(name: "_revinclude:recurse", description: "PractitionerRole:practitioner"),
                QueryParameter(name: "created", repeats: true, description: "ge{date} / le{date}"),
                QueryParameter(name: "author", description: "https://fhir.nhs.uk/Id/ods-organization-code|{ods}"),
                QueryParameter(name: "description", description: "a keyword"),
            ]
        case .searchTasks:
            return [
                QueryParameter(name: "requester", description: "the requesting practice"),
                QueryParameter(name: "status", description: "a Task status"),
                QueryParameter(name: "_lastUpdated", repeats: true, description: "ge{instant} / le{instant}"),
            ]
        case .readMetadata, .readPatient, .registerPatient, .readPractitioner, .readOrganization, .readLocation, .bookAppointment,
            .readAppointment, .amendAppointment, .cancelAppointment, .readStructuredMetadata, .getStructuredRecord,
            .migrateStructuredRecord, .readDocumentsMetadata, .readBinary, .migrateBinary, .createTask, .readTask, .cancelTask,
            .readCareRecordMetadata, .getCareRecord:
            return []
        }
    }

    static let components: FHIRElement = [
        "parameters": [
            "ods": [
                "name": "ods", "in": "path", "required": true, "description": "ODS code of the practice",
                "schema": ["type": "string", "pattern": "^[A-Z0-9]{3,10}$"],
            ],
            "id": ["name": "id", "in": "path", "required": true, "description": "Logical id", "schema": ["type": "string"]],
            "SspTraceID": [
                "name": "Ssp-TraceID", "in": "header", "required": true, "description": "A GUID per request",
                "schema": ["type": "string", "format": "uuid"],
            ],
            "SspFrom": [
                "name": "Ssp-From", "in": "header", "required": true, "description": "The consumer's ASID",
                "schema": ["type": "string", "pattern": "^[0-9]{12}$"],
            ],
            "SspTo": [
                "name": "Ssp-To", "in": "header", "required": true, "description": "The practice's ASID",
                "schema": ["type": "string", "pattern": "^[0-9]{12}$"],
            ],
            "Authorization": [
                "name": "Authorization", "in": "header", "required": true,
                "description": "Bearer {audit JWT}: unsigned (alg none), 300 seconds, with the interaction's scope",
                "schema": ["type": "string", "pattern": "^Bearer .+$"],
            ],
            "format": [
                "name": "_format", "in": "query", "required": false, "description": "json or xml, or a FHIR MIME type",
                "schema": ["type": "string"],
            ],
        ],
        "headers": [
            "CacheControl": ["description": "Always no-store", "schema": ["type": "string", "enum": ["no-store"]]]
        ],
        "schemas": [
            "Resource": [
                "type": "object", "required": ["resourceType"],
                "properties": ["resourceType": ["type": "string"]],
            ],
            "OperationOutcome": [
                "type": "object", "required": ["resourceType", "issue"],
                "properties": [
                    "resourceType": ["type": "string", "enum": ["OperationOutcome"]],
                    "issue": [
                        "type": "array", "minItems": .number("1"),
                        "items": [
                            "type": "object", "required": ["severity", "code"],
                            "properties": [
                                "severity": ["type": "string"], "code": ["type": "string"],
                                "details": ["type": "object"], "diagnostics": ["type": "string"],
                            ],
                        ],
                    ],
                ],
            ],
        ],
    ]
}
