import FHIR
import GPConnectContract

/// Access Record Structured: `$gpc.getstructuredrecord` (S2) and `$gpc.migratestructuredrecord`
/// (S3). Validates the request, decides whether the patient's record may be shared, and assembles
/// the Bundle around a ``StructuredRecordView`` of the recorded items.
public struct StructuredRecord: Sendable {
    let stores: Stores

    public init(stores: Stores) { self.stores = stores }

    public func get(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        // "Today" is the UTC day: the pack builds its "future" dates from DateTime.UtcNow, so a
        // UK date would accept tomorrow between 23:00 and 24:00 UTC in summer.
        let query = try StructuredQuery.parseGet(try parameters(request), today: ISO8601.day(request.now))
        return try await respond(to: request, query: query, includeWithheld: false)
    }

    public func migrate(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let query = try StructuredQuery.parseMigrate(try parameters(request))
        let sensitive = query.fullRecord?.includeSensitive ?? false
        // Sensitive information needs conf/R; conf/R without asking for it is a conflict too
        // (pack StructuredMigrate "JWT scope is incorrect" scenarios, both ways).
        guard (request.token.confidentiality == "conf/R") == sensitive else {
            throw GPConnectError(
                .conflictingValues,
                sensitive
                    ? "includeSensitiveInformation=true needs requested_scope conf/R"
                    : "requested_scope conf/R needs includeSensitiveInformation=true")
        }
        return try await respond(to: request, query: query, includeWithheld: sensitive)
    }

    private func parameters(_ request: GPConnectRequest) throws(GPConnectError) -> FHIRElement {
        do {
            return try request.resource()
        } catch {
            throw .invalidResource("The request body must be a Parameters resource: \(error.diagnostics ?? "unreadable")")
        }
    }

    private func respond(to request: GPConnectRequest, query: StructuredQuery, includeWithheld: Bool) async throws -> GPConnectResponse {
        let practice = request.practice
        let patient = try await eligiblePatient(query.nhsNumber, practice: practice.ods)

        let view = try await buildView(query: query, patientID: patient.id, practice: practice.ods, includeWithheld: includeWithheld)

        // The patient, their registered practice, the usual GP and the GP's role come first, then
        // every practitioner, organisation and location the resources refer to (and those refer to).
        let patientResource = patient.fhir(practice: practice)
        var entries: [FHIRElement] = [patientResource]
        var present: Set<String> = ["Patient/\(patient.id)"]
        var pending: [String] = []
        if let organization = patient.managingOrganizationID { pending.append("Organization/\(organization)") }
        if let gp = patient.generalPractitionerID { pending.append("Practitioner/\(gp)") }
        pending += References.all(in: patientResource) + view.references.sorted()
        var index = 0
        while index < pending.count {
            let reference = pending[index]
            index += 1
            guard present.insert(reference).inserted,
                let resource = try await directoryResource(reference, practice: practice.ods)
            else { continue }
            entries.append(resource)
            pending += References.all(in: resource)
        }
        if let gp = patient.generalPractitionerID, let organization = patient.managingOrganizationID,
            let practitioner = try await stores.directory.practitioner(practice: practice.ods, id: gp)
        {
            entries.append(Self.practitionerRole(practitioner, organizationID: organization))
        }

        let warnings =
            query.unrecognised.map { name in
                OperationOutcome.Issue(
                    severity: "warning", code: .notImplemented, issueType: "not-supported", diagnostics: name,
                    detailsText: "\(name) is an unrecognised parameter")
            }
            + view.disabledAreas.map { area in
                OperationOutcome.Issue(
                    severity: "warning", code: .notImplemented, issueType: "not-supported", diagnostics: area.parameter,
                    detailsText: "\(area.parameter) has been disabled")
            }
        if !warnings.isEmpty { entries.append(OperationOutcome.resource(issues: warnings)) }
        entries += view.entries

        var bundle: FHIRObject = ["resourceType": "Bundle", "id": .string(request.traceID)]
        bundle.append("meta", ["profile": [.string(Profile.structuredRecordBundle)]])
        bundle.append("type", "collection")
        bundle.append("entry", .array(entries.map { ["resource": $0] }))
        return GPConnectResponse(resource: .object(bundle), auditPatient: patient.nhsNumber.value)
    }

    /// Builds the view of the patient's record. A request for a few areas reads the record's
    /// index first and then only the bodies the view turns out to need (with everything they
    /// refer to), so a narrow question about a long record reads little; a broad one reads the
    /// whole record at once.
    func buildView(query: StructuredQuery, patientID: String, practice: String, includeWithheld: Bool) async throws
        -> StructuredRecordView.Result
    {
        let broad = query.fullRecord != nil || query.areas.count > 2
        async let read =
            broad
            ? stores.clinical.items(practice: practice, patientID: patientID)
            : stores.clinical.itemIndex(practice: practice, patientID: patientID)
        async let state = stores.clinical.recordState(practice: practice, patientID: patientID)
        async let disabled = stores.clinical.disabledAreas(practice: practice)
        let items = try await read
        let (recordState, switchedOff) = (try await state, try await disabled)
        let index = StructuredRecordView.Index(items)
        var loaded: [String: String] = [:]
        for _ in 0..<8 {
            let view = try StructuredRecordView(
                index: index, query: query, patientID: patientID, state: recordState, disabled: switchedOff,
                includeWithheld: includeWithheld, loaded: loaded
            ).build()
            guard !view.missing.isEmpty else { return view }
            // Read what was missing and everything it refers to (and an authorisation's issues
            // and statements), to save rounds.
            var wanted: [String] = []
            var seen = Set<String>()
            var pending = Array(view.missing)
            while let reference = pending.popLast() {
                guard seen.insert(reference).inserted, let item = index.byReference[reference] else { continue }
                if loaded[item.id] == nil { wanted.append(item.id) }
                pending += item.references
                if item.kind == .medicationPlan { pending += index.referrers[reference, default: []] }
            }
            loaded.merge(try await stores.clinical.bodies(practice: practice, patientID: patientID, ids: wanted)) { $1 }
        }
        throw StoreError.corrupt("the record's bodies could not all be read")
    }

    /// The patient whose record may be shared, or the refusal (GP Connect 1.6.2,
    /// accessrecord_structured_development_retrieve_patient_record, "Error handling").
    func eligiblePatient(_ nhsNumber: NHSNumber, practice: String) async throws -> PatientRecord {
        let candidates = try await stores.patients.patients(practice: practice, nhsNumber: nhsNumber)
        guard let patient = candidates.first(where: { $0.registrationStatus == .active }) ?? candidates.first else {
            throw GPConnectError(.patientNotFound, "No patient with that NHS number is registered at this practice")
        }
        guard patient.registrationStatus == .active, patient.deceased == nil, !patient.sensitive,
            patient.nhsNumberVerification == "01", patient.registrationType == .regular
        else {
            throw GPConnectError(.patientNotFound, "No patient with that NHS number is registered at this practice")
        }
        guard !patient.dissent else {
            throw GPConnectError(.noPatientConsent, "The patient has dissented from sharing their record")
        }
        return patient
    }

    private func directoryResource(_ reference: String, practice: String) async throws -> FHIRElement? {
        let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        switch parts[0] {
        case "Organization": return try await stores.directory.organization(practice: practice, id: parts[1])?.fhir
        case "Practitioner": return try await stores.directory.practitioner(practice: practice, id: parts[1])?.fhir
        case "Location": return try await stores.directory.location(practice: practice, id: parts[1])?.fhir
        default: return nil
        }
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
