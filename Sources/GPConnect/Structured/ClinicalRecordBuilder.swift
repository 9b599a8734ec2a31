import FHIR
import Foundation
import GPConnectContract

/// Builds ``ClinicalItem``s in the GP Connect 1.6 profiles, elements in StructureDefinition order.
public struct ClinicalRecordBuilder: Sendable {
    public var practice: String
    public var patientID: String
    /// The seed day, `yyyy-MM-dd`, that relative dates count from.
    public var today: String
    /// The practice's Organization id and the default recorder.
    public var organizationID: String
    public var practitionerID: String

    public init(practice: String, patientID: String, today: String, organizationID: String, practitionerID: String) {
        self.practice = practice
        self.patientID = patientID
        self.today = today
        self.organizationID = organizationID
        self.practitionerID = practitionerID
    }

    static let identifierSystem = "https://fhir.nhs.uk/Id/cross-care-setting-identifier"
    static let base = "https://fhir.nhs.uk/STU3/"
    static let hl7 = "https://fhir.hl7.org.uk/STU3/"
    static let defaultVaccinationProcedure = ["33879002", "Administration of vaccine to produce active immunity"]

    /// `today-400` → the day 400 days before the seed day.
    public func day(_ value: String?) -> String? {
        guard let value else { return nil }
        guard value.hasPrefix("today") else { return value }
        let offset = Int(value.dropFirst(5).replacingOccurrences(of: "+", with: "")) ?? 0
        return ClinicalDate.adding(days: offset, to: today)
    }

    /// A dateTime at 10:00 UTC on the day.
    func instant(_ value: String?) -> FHIRElement? {
        guard let day = day(value) else { return nil }
        return .string(day.count == 10 ? day + "T10:00:00+00:00" : day)
    }

    /// A stable UUID-shaped business identifier, derived from practice and id.
    func identifier(_ id: String) -> FHIRElement {
        let hex = Hashing.sha256Hex(Array("\(practice)/\(id)".utf8))
        let chars = Array(hex.prefix(32))
        let uuid = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
        return [["system": .string(Self.identifierSystem), "value": .string(uuid)]]
    }

    func snomed(_ code: [String]?, text: String? = nil) -> FHIRElement {
        var object: FHIRObject = [:]
        if let code, code.count >= 2 {
            object.append("coding", [["system": "http://snomed.info/sct", "code": .string(code[0]), "display": .string(code[1])]])
        }
        object.append("text", text.map { .string($0) })
        return .object(object)
    }

    func ref(_ type: String, _ id: String?) -> FHIRElement? {
        id.map { ["reference": .string("\(type)/\($0)")] }
    }

    var patient: FHIRElement { ["reference": .string("Patient/\(patientID)")] }
    func recorder(_ item: SeedItem) -> FHIRElement { ["reference": .string("Practitioner/\(item.recorder ?? practitionerID)")] }

    public func build(_ item: SeedItem) -> ClinicalItem {
        var o: FHIRObject = ["resourceType": .string(item.kind.resourceType), "id": .string(item.id)]
        var status = item.status
        var start = day(item.date)
        var end = day(item.end)
        switch item.kind {
        case .allergy:
            if item.status == "resolved" {
                o.append(
                    "extension",
                    [
                        [
                            "url": .string(Self.base + "StructureDefinition/Extension-CareConnect-GPC-AllergyIntoleranceEnd-1"),
                            "extension": [
                                ["url": "endDate", "valueDateTime": instant(item.end ?? item.date) ?? "unknown"],
                                ["url": "reasonEnded", "valueString": .string(item.endReason ?? "No information available")],
                            ],
                        ]
                    ])
            }
            o.append("identifier", identifier(item.id))
            o.append("clinicalStatus", .string(item.status ?? "active"))
            o.append("verificationStatus", "unconfirmed")
            o.append("type", "allergy")
            o.append("category", [.string(item.type ?? "medication")])
            o.append("code", snomed(item.code, text: item.text))
            o.append("patient", patient)
            o.append("onsetDateTime", instant(item.date))
            o.append("assertedDate", instant(item.date))
            o.append("recorder", recorder(item))
            if let reaction = item.reaction, reaction.count >= 2 {
                o.append(
                    "reaction",
                    [["manifestation": [snomed(reaction)], "severity": .string(reaction.count > 2 ? reaction[2] : "mild")]])
            }
            status = item.status ?? "active"
            end = nil
        case .medication:
            o.append("code", snomed(item.code, text: item.text))
            start = nil
        case .medicationStatement:
            let elsewhere = item.type == "elsewhere"
            o.append(
                "extension",
                [
                    [
                        "url": .string(Self.base + "StructureDefinition/Extension-CareConnect-GPC-PrescribingAgency-1"),
                        "valueCodeableConcept": [
                            "coding": [
                                [
                                    "system": .string(Self.base + "CodeSystem/CareConnect-PrescribingAgency-1"),
                                    "code": .string(elsewhere ? "prescribed-by-another-organisation" : "prescribed-at-gp-practice"),
                                    "display": .string(elsewhere ? "Prescribed by another organisation" : "Prescribed at GP practice"),
                                ]
                            ]
                        ],
                    ]
                ])
            o.append("identifier", identifier(item.id))
            o.append("basedOn", ref("MedicationRequest", item.plan).map { [$0] })
            o.append("status", .string(item.status ?? "active"))
            o.append("medicationReference", ref("Medication", item.medication))
            var period: FHIRObject = [:]
            period.append("start", instant(item.date))
            period.append("end", instant(item.end))
            o.append("effectivePeriod", .object(period))
            o.append("dateAsserted", instant(item.date))
            o.append("subject", patient)
            o.append("taken", "unk")
            o.append("dosage", [["text": .string(item.dosage ?? "As directed")]])
            status = elsewhere ? "elsewhere" : item.status
        case .medicationPlan, .medicationIssue:
            let plan = item.kind == .medicationPlan
            let repeating = item.type == "repeat"
            var extensions: [FHIRElement] = [
                [
                    "url": .string(Self.base + "StructureDefinition/Extension-CareConnect-GPC-PrescriptionType-1"),
                    "valueCodeableConcept": [
                        "coding": [
                            [
                                "system": .string(Self.base + "CodeSystem/CareConnect-PrescriptionType-1"),
                                "code": .string(repeating ? "repeat" : "acute"), "display": .string(repeating ? "Repeat" : "Acute"),
                            ]
                        ]
                    ],
                ]
            ]
            if plan, repeating {
                extensions.append([
                    "url": .string(Self.base + "StructureDefinition/Extension-CareConnect-GPC-MedicationRepeatInformation-1"),
                    "extension": [
                        ["url": "numberOfRepeatPrescriptionsAllowed", "valueUnsignedInt": .number(String(item.repeats ?? 6))],
                        ["url": "numberOfRepeatPrescriptionsIssued", "valueUnsignedInt": .number(String(min(item.repeats ?? 6, 3)))],
                    ],
                ])
            }
            o.append("extension", .array(extensions))
            o.append("identifier", identifier(item.id))
            if !plan { o.append("basedOn", ref("MedicationRequest", item.plan).map { [$0] }) }
            o.append("status", .string(item.status ?? (plan ? "active" : "completed")))
            o.append("intent", .string(plan ? "plan" : "order"))
            o.append("medicationReference", ref("Medication", item.medication))
            o.append("subject", patient)
            o.append("authoredOn", instant(item.date))
            o.append("requester", ["agent": recorder(item), "onBehalfOf": ["reference": .string("Organization/\(organizationID)")]])
            o.append("recorder", recorder(item))
            o.append("dosageInstruction", [["text": .string(item.dosage ?? "As directed")]])
            var dispense: FHIRObject = [:]
            var validity: FHIRObject = [:]
            validity.append("start", instant(item.date))
            validity.append("end", instant(item.end))
            dispense.append("validityPeriod", .object(validity))
            if let quantity = item.quantity, quantity.count >= 2 {
                dispense.append("quantity", ["value": .number(quantity[0]), "unit": .string(quantity[1])])
            }
            o.append("dispenseRequest", .object(dispense))
            status = item.type
        case .problem:
            var extensions: [FHIRElement] = [
                ["url": .string(StructuredURL.problemSignificance), "valueCode": .string(item.type ?? "minor")]
            ]
            for parent in [item.parent].compactMap({ $0 }) {
                extensions.append(relatedProblem(parent, type: "parent"))
            }
            for child in item.children ?? [] { extensions.append(relatedProblem(child, type: "child")) }
            for link in item.links ?? [] {
                extensions.append(["url": .string(StructuredURL.relatedClinicalContent), "valueReference": ["reference": .string(link)]])
            }
            o.append("extension", .array(extensions))
            o.append("identifier", identifier(item.id))
            o.append("clinicalStatus", .string(item.status ?? "active"))
            o.append(
                "category",
                [
                    [
                        "coding": [
                            [
                                "system": .string(Self.hl7 + "CodeSystem/CareConnect-ConditionCategory-1"), "code": "problem-list-item",
                                "display": "Problem List Item",
                            ]
                        ]
                    ]
                ])
            o.append("code", snomed(item.code, text: item.text))
            o.append("subject", patient)
            o.append("context", ref("Encounter", item.encounter))
            o.append("onsetDateTime", instant(item.date))
            o.append("abatementDateTime", instant(item.end))
            o.append("assertedDate", instant(item.date))
            o.append("asserter", recorder(item))
            status = item.status ?? "active"
        case .encounter:
            o.append("identifier", identifier(item.id))
            o.append("status", "finished")
            o.append("type", [snomed(item.code ?? ["185317003", "Telephone encounter"], text: item.text)])
            o.append("subject", patient)
            o.append(
                "participant",
                [
                    [
                        "type": [
                            [
                                "coding": [
                                    [
                                        "system": .string(Self.base + "CodeSystem/GPConnect-ParticipantType-1"), "code": "REC",
                                        "display": "recorder",
                                    ]
                                ]
                            ]
                        ],
                        "individual": recorder(item),
                    ]
                ])
            var period: FHIRObject = [:]
            period.append("start", instant(item.date))
            period.append("end", instant(item.end ?? item.date))
            o.append("period", .object(period))
            o.append("serviceProvider", ["reference": .string("Organization/\(organizationID)")])
            end = end ?? start
        case .consultationList:
            let (code, display): (String, String) =
                switch item.type {
                case "consultation": ("325851000000107", "Consultation")
                case "topic": ("25851000000105", "Topic (EHR)")
                default: ("24781000000107", "Category (EHR)")
                }
            if let problem = item.parent { o.append("extension", [relatedProblem(problem, type: nil)]) }
            o.append("status", "current")
            o.append("mode", "snapshot")
            o.append("title", .string(item.text ?? display))
            o.append("code", ["coding": [["system": "http://snomed.info/sct", "code": .string(code), "display": .string(display)]]])
            o.append("subject", patient)
            o.append("encounter", ref("Encounter", item.encounter))
            o.append("date", instant(item.date))
            o.append(
                "orderedBy",
                ["coding": [["system": "http://hl7.org/fhir/list-order", "code": "system", "display": "Sorted by System"]]])
            o.append("entry", .array((item.links ?? []).map { ["item": ["reference": .string($0)]] }))
        case .immunization:
            let given = item.status != "not-given"
            o.append(
                "extension",
                [
                    [
                        "url": .string(Self.hl7 + "StructureDefinition/Extension-CareConnect-DateRecorded-1"),
                        "valueDateTime": instant(item.date) ?? "",
                    ],
                    // Required (1..1) by CareConnect-GPC-Immunization-1, bound to CareConnect-VaccinationProcedure-1
                    // (SNOMED CT, << 33879002 and others); the generic parent when the seed names none.
                    [
                        "url": .string(StructuredURL.vaccinationProcedure),
                        "valueCodeableConcept": snomed(item.procedure ?? Self.defaultVaccinationProcedure),
                    ],
                ])
            o.append("identifier", identifier(item.id))
            o.append("status", "completed")
            o.append("notGiven", .bool(!given))
            o.append("vaccineCode", snomed(item.code, text: item.text))
            o.append("patient", patient)
            o.append("date", instant(item.date))
            o.append("primarySource", true)
            o.append("practitioner", [["actor": recorder(item)]])
            status = given ? "given" : "not-given"
        case .observation, .narrative, .testGroup, .testResult, .filingComment:
            let filing = item.kind == .filingComment || item.kind == .narrative
            o.append("identifier", identifier(item.id))
            o.append("status", .string(item.kind == .filingComment ? "unknown" : "final"))
            o.append("code", snomed(item.code ?? (filing ? ["37331000000100", "Comment note"] : nil), text: item.text))
            o.append("subject", patient)
            o.append("effectiveDateTime", instant(item.date))
            o.append("issued", instant(item.date))
            o.append("performer", [recorder(item)])
            if let value = item.value, value.count >= 2 {
                o.append(
                    "valueQuantity",
                    [
                        "value": .number(value[0]), "unit": .string(value[1]), "system": "http://unitsofmeasure.org",
                        "code": .string(value[1]),
                    ])
            } else if let value = item.value?.first {
                o.append("valueString", .string(value))
            }
            if filing { o.append("comment", .string(item.dosage ?? item.text ?? "")) }
            if item.kind == .testGroup || item.kind == .testResult { o.append("specimen", ref("Specimen", item.specimen)) }
            if item.kind == .testGroup {
                o.append(
                    "related",
                    .array((item.links ?? []).map { ["type": "has-member", "target": ["reference": .string("Observation/\($0)")]] }))
            }
            end = start
        case .diagnosticReport:
            o.append("identifier", identifier(item.id))
            o.append("basedOn", ref("ProcedureRequest", item.request).map { [$0] })
            o.append("status", "final")
            o.append(
                "code", ["coding": [["system": "http://snomed.info/sct", "code": "721981007", "display": "Diagnostic studies report"]]])
            o.append("subject", patient)
            o.append("issued", instant(item.date))
            o.append("specimen", ref("Specimen", item.specimen).map { [$0] })
            o.append("result", .array((item.links ?? []).map { ["reference": .string("Observation/\($0)")] }))
            o.append("conclusion", item.text.map { .string($0) })
            end = start
        case .specimen:
            o.append("identifier", identifier(item.id))
            o.append("type", snomed(item.code ?? ["122555007", "Venous blood specimen"]))
            o.append("subject", patient)
            o.append("receivedTime", instant(item.date))
            o.append("collection", ["collectedDateTime": instant(item.date) ?? ""])
        case .testRequest:
            o.append("identifier", identifier(item.id))
            o.append("status", "active")
            o.append("intent", "order")
            o.append("code", snomed(item.code, text: item.text))
            o.append("subject", patient)
            o.append("requester", ["agent": recorder(item)])
        case .diaryEntry:
            o.append("identifier", identifier(item.id))
            o.append("status", "active")
            o.append("intent", "plan")
            o.append("code", snomed(item.code, text: item.text))
            o.append("subject", patient)
            o.append("occurrenceDateTime", instant(item.date))
            o.append("authoredOn", instant(item.end ?? "today-10"))
            o.append("requester", ["agent": recorder(item)])
            end = start
        case .referral:
            o.append("identifier", identifier(item.id))
            o.append("status", "unknown")
            o.append("intent", "order")
            o.append("priority", "routine")
            o.append("serviceRequested", [snomed(item.code)])
            o.append("subject", patient)
            o.append("authoredOn", instant(item.date))
            o.append("requester", ["agent": recorder(item)])
            o.append("description", item.text.map { .string($0) })
            end = start
        case .document:
            o.append("identifier", identifier(item.id))
            o.append("status", "current")
            o.append("type", snomed(item.code ?? ["824331000000106", "Inpatient final discharge letter"]))
            o.append("subject", patient)
            o.append("created", instant(item.date))
            o.append("indexed", instant(item.date))
            o.append("author", [["reference": .string("Organization/\(organizationID)")]])
            o.append("custodian", ["reference": .string("Organization/\(organizationID)")])
            o.append("description", item.text.map { .string($0) })
            o.append("content", [["attachment": ["contentType": "application/msword", "size": .number(String(item.repeats ?? 3654))]]])
            end = start
        }
        return ClinicalItem(
            id: item.id, patientID: patientID, kind: item.kind, status: status, start: start, end: end,
            confidentiality: item.withheld.flatMap(ClinicalItem.Confidentiality.init(rawValue:)) ?? .none, resource: .object(o))
    }

    /// `Extension-CareConnect-RelatedProblemHeader-1`, target first (the pack reads the first
    /// sub-extension as the reference).
    func relatedProblem(_ id: String, type: String?) -> FHIRElement {
        var parts: [FHIRElement] = [["url": "target", "valueReference": ["reference": .string("Condition/\(id)")]]]
        if let type { parts.append(["url": "type", "valueCode": .string(type)]) }
        return ["url": .string(StructuredURL.relatedProblemHeader), "extension": .array(parts)]
    }
}
