import FHIR
import GPConnectContract

/// A ``StructuredSelection`` in STU3: the Lists and resources of the Bundle, from the selection
/// and the bodies of the items it needs (`CareConnect-GPC-List-1` and the item profiles).
struct StructuredRecordSTU3 {
    let selection: StructuredSelection
    let index: ClinicalRecordIndex
    /// Decoded bodies of ``StructuredSelection/itemsNeeded``, by reference.
    let bodies: [String: FHIRElement]
    let patientID: String
    /// Makes the documents' Binary URLs absolute (and withholds those over the retrieval limit).
    var documentLinks: DocumentLinks?

    /// The clinical part of the Bundle: Lists, then resources, in presentation order.
    ///
    /// - Throws: ``StoreError/corrupt(_:)`` when a needed body was not read.
    func entries() throws -> [FHIRElement] {
        var entries: [FHIRElement] = []
        for list in selection.lists {
            entries.append(try render(list))
        }
        let included = Set(selection.resources)
        for reference in selection.resources {
            guard let item = index.byReference[reference] else { continue }
            entries.append(try render(item, keeping: included))
        }
        return entries
    }

    /// The Bundle: the leading resources (patient and directory), an OperationOutcome with the
    /// request's warnings if any, then the clinical entries.
    func bundle(id: String, leading: [FHIRElement], unrecognised: [String], clinical: [FHIRElement]) -> FHIRElement {
        var entries = leading
        let warnings =
            unrecognised.map { name in
                OperationOutcome.Issue(
                    severity: "warning", code: .notImplemented, issueType: "not-supported", diagnostics: name,
                    detailsText: "\(name) is an unrecognised parameter")
            }
            + selection.disabledAreas.map { area in
                OperationOutcome.Issue(
                    severity: "warning", code: .notImplemented, issueType: "not-supported", diagnostics: area.parameter,
                    detailsText: "\(area.parameter) has been disabled")
            }
        if !warnings.isEmpty { entries.append(OperationOutcome.resource(issues: warnings)) }
        entries += clinical

        var bundle: FHIRObject = ["resourceType": "Bundle", "id": .string(id)]
        bundle.append("meta", ["profile": [.string(Profile.structuredRecordBundle)]])
        bundle.append("type", "collection")
        bundle.append("entry", .array(entries.map { ["resource": $0] }))
        return .object(bundle)
    }

    private func body(_ reference: String) throws -> FHIRElement {
        guard let body = bodies[reference] else { throw StoreError.corrupt("the record's bodies could not all be read") }
        return body
    }

    // MARK: - Lists

    private func render(_ list: StructuredSelection.List) throws -> FHIRElement {
        switch list.kind {
        case .coded(let title, let snomed):
            return try render(list, title: title, code: Code(system: CodeSystemURL.snomed, code: snomed, display: title))
        case .secondary(let code):
            let title = Self.secondaryTitle(code)
            return try render(list, title: title, code: Code(system: CodeSystemURL.secondaryListValues, code: code, display: title))
        case .consultation(let reference):
            return try consultationList(reference, entries: list.entries)
        }
    }

    /// A consultation, topic or heading List as recorded, with only the entries the selection
    /// keeps (items of switched-off areas replaced by the area's notice).
    private func consultationList(_ reference: String, entries selected: [StructuredSelection.List.Entry]) throws -> FHIRElement {
        guard let item = index.byReference[reference] else { throw StoreError.corrupt("the record's bodies could not all be read") }
        var kept = Set<String>()
        var disabled: [String: ClinicalArea] = [:]
        for entry in selected {
            switch entry {
            case .item(let target), .contained(let target): kept.insert(target)
            case .disabled(let area, let target): disabled[target] = area
            }
        }
        var resource = try body(reference).object ?? FHIRObject()
        var entries: [FHIRElement] = []
        for entry in resource["entry"]?.items ?? [] {
            guard let target = entry["item"]?["reference"]?.string else { continue }
            if kept.contains(target) {
                entries.append(entry)
            } else if let area = disabled[target] {
                entries.append(["item": ["display": .string(area.disabledDisplay)]])
            }
        }
        resource["entry"] = .array(entries)
        return render(item, body: .object(resource))
    }

    private func render(_ list: StructuredSelection.List, title: String, code: Code) throws -> FHIRElement {
        var object: FHIRObject = ["resourceType": "List", "meta": ["profile": [.string(ClinicalItem.Kind.consultationList.profile)]]]
        var contained: [FHIRElement] = []
        var entries: [FHIRElement] = []
        for entry in list.entries {
            switch entry {
            case .item(let reference):
                entries.append(.reference(reference))
            case .contained(let reference):
                guard let item = index.byReference[reference] else { continue }
                contained.append(render(item, body: try body(reference)))
                entries.append(.reference("#" + item.id))
            case .disabled(let area, _):
                entries.append(["display": .string(area.disabledDisplay)])
            }
        }
        object.append("contained", .array(contained))
        var extensions: [FHIRElement] = [
            [
                "url": .string(StructuredURL.clinicalSetting),
                "valueCodeableConcept": .codeableConcept(
                    Code(system: CodeSystemURL.snomed, code: "1060971000000108", display: "General practice service")),
            ]
        ]
        var notes: [FHIRElement] = []
        for warning in list.warnings {
            switch warning {
            case .confidentialItems:
                extensions.append(["url": .string(StructuredURL.listWarningCode), "valueCode": "confidential-items"])
                notes.append(["text": .string(StructuredText.confidentialItems)])
            case .dataAwaitingFiling:
                extensions.append(["url": .string(StructuredURL.listWarningCode), "valueCode": "data-awaiting-filing"])
                notes.append(["text": .string(StructuredText.awaitingFiling)])
            case .dataInTransit(let since):
                extensions.append(["url": .string(StructuredURL.listWarningCode), "valueCode": "data-in-transit"])
                notes.append(["text": .string(StructuredText.inTransit(since: since))])
            }
        }
        object.append("extension", .array(extensions))
        object.append("status", "current")
        object.append("mode", "snapshot")
        object.append("title", .string(title))
        object.append("code", .codeableConcept(code))
        object.append("subject", .reference("Patient/\(patientID)"))
        if list.emptyReason != nil { notes.append(["text": .string(StructuredText.noContent)]) }
        object.append("note", .array(notes))
        object.append("entry", .array(entries.map { ["item": $0] }))
        if list.emptyReason == .noContentRecorded {
            object.append(
                "emptyReason",
                .codeableConcept(Code(system: CodeSystemURL.listEmptyReason, code: "no-content-recorded", display: "No Content Recorded")))
        }
        return .object(object)
    }

    /// `consultations-medications-contained-in-consultations` → "Consultations - medications contained in consultations".
    static func secondaryTitle(_ code: String) -> String {
        let words = code.split(separator: "-")
        guard let first = words.first else { return code }
        return first.prefix(1).uppercased() + first.dropFirst() + " - " + words.dropFirst().joined(separator: " ")
    }

    // MARK: - Resources

    /// The item as a resource: its body with `meta` (profile; `NOPAT` on withheld items that
    /// migrate sends). Links from problems to items outside the response are dropped, so every
    /// link in the Bundle resolves.
    private func render(_ item: ClinicalItem, keeping included: Set<String>) throws -> FHIRElement {
        guard item.kind == .problem, let body = try body(item.reference).object else { return render(item, body: try body(item.reference)) }
        return render(item, body: .object(Conditions.pruningLinks(body, keeping: included.union([item.reference]))))
    }

    private func render(_ item: ClinicalItem, body element: FHIRElement) -> FHIRElement {
        guard var body = element.object else { return element }
        if item.kind == .document, let documentLinks { body = documentLinks.resolve(body) }
        var object: FHIRObject = ["resourceType": .string(item.kind.resourceType), "id": .string(item.id)]
        var meta: FHIRObject = ["profile": [.string(item.kind.profile)]]
        if item.confidentiality != .none {
            meta.append(
                "security",
                [
                    [
                        "system": "http://hl7.org/fhir/v3/ActCode", "code": "NOPAT",
                        "display": "no disclosure to patient, family or caregivers without attending provider's authorization",
                    ]
                ])
        }
        object.append("meta", .object(meta))
        for field in body.fields where field.name != "resourceType" && field.name != "id" && field.name != "meta" {
            object.append(field.name, field.value)
        }
        return .object(object)
    }
}
