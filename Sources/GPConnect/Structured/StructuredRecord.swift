import FHIR
import GPConnectContract

/// Access Record Structured: `$gpc.getstructuredrecord` (S2) and `$gpc.migratestructuredrecord`
/// (S3). Validates the request, decides whether the patient's record may be shared, and assembles
/// the Bundle around a ``StructuredSelection`` of the recorded items, rendered in STU3.
public struct StructuredRecord: Sendable {
    let stores: Stores
    /// Offers the record's documents (their Binary URLs, the retrieval limit).
    let documents: Documents

    public init(stores: Stores, documents: Documents? = nil) {
        self.stores = stores
        self.documents = documents ?? Documents(stores: stores)
    }

    public func get(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        // "Today" is the UTC day: the pack builds its "future" dates from DateTime.UtcNow, so a
        // UK date would accept tomorrow between 23:00 and 24:00 UTC in summer.
        let query = try StructuredQuery.parseGet(try parameters(request), today: ISO8601.day(request.now))
        return try await respond(
            query, practice: request.practice, caller: request.caller, includeWithheld: false,
            documentLinks: documents.links(request, migrating: false))
    }

    public func migrate(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let query = try StructuredQuery.parseMigrate(try parameters(request))
        let sensitive = query.fullRecord?.includeSensitive ?? false
        // Sensitive information needs conf/R; conf/R without asking for it is a conflict too
        // (pack StructuredMigrate "JWT scope is incorrect" scenarios, both ways).
        guard (request.caller.confidentiality == .restricted) == sensitive else {
            throw GPConnectError(
                .conflictingValues,
                sensitive
                    ? "includeSensitiveInformation=true needs requested_scope conf/R"
                    : "requested_scope conf/R needs includeSensitiveInformation=true")
        }
        return try await respond(
            query, practice: request.practice, caller: request.caller, includeWithheld: sensitive,
            documentLinks: documents.links(request, migrating: true))
    }

    private func parameters(_ request: GPConnectRequest) throws(GPConnectError) -> FHIRElement {
        do {
            return try request.resource()
        } catch {
            throw .invalidResource("The request body must be a Parameters resource: \(error.diagnostics ?? "unreadable")")
        }
    }

    /// The channel-neutral use case: the Bundle answering a validated query for the caller, its
    /// id the caller's trace id.
    func respond(
        _ query: StructuredQuery, practice: Practice, caller: Caller, includeWithheld: Bool, documentLinks: DocumentLinks
    ) async throws -> GPConnectResponse {
        let patient = try await eligiblePatient(query.nhsNumber, practice: practice.ods)

        var record = try await readRecord(query: query, patientID: patient.id, practice: practice.ods, includeWithheld: includeWithheld)
        record.documentLinks = documentLinks
        let clinical = try record.entries()

        // The patient, their registered practice, the usual GP and the GP's role come first, then
        // every practitioner, organisation and location the resources refer to (and those refer to).
        let patientResource = patient.fhir(practice: practice)
        var pending: [String] = []
        if let organization = patient.managingOrganizationID { pending.append("Organization/\(organization)") }
        if let gp = patient.generalPractitionerID { pending.append("Practitioner/\(gp)") }
        pending += References.all(in: patientResource) + record.selection.directoryReferences
        let directory = try await BundleDirectory(stores: stores).resources(
            following: pending, present: ["Patient/\(patient.id)"], practice: practice.ods)
        var leading = [patientResource] + directory.resources
        if let gp = patient.generalPractitionerID, let organization = patient.managingOrganizationID,
            let practitioner = try await directory.practitioner(gp, practice: practice.ods, stores: stores)
        {
            leading.append(BundleDirectory.practitionerRole(practitioner, organizationID: organization))
        }

        let bundle = record.bundle(id: caller.traceID, leading: leading, unrecognised: query.unrecognised, clinical: clinical)
        return GPConnectResponse(resource: bundle, auditPatient: patient.nhsNumber.value)
    }

    /// Selects what the query returns from the record's index, then reads the bodies the
    /// selection needs in one call. A request for a few areas reads the index and then only
    /// those bodies, so a narrow question about a long record reads little; a broad one reads
    /// the whole record at once.
    ///
    /// - Throws: ``StoreError/corrupt(_:)`` when a needed body is missing or does not decode.
    func readRecord(query: StructuredQuery, patientID: String, practice: String, includeWithheld: Bool) async throws
        -> StructuredRecordSTU3
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
        let index = ClinicalRecordIndex(items)
        var bodies: [String: FHIRElement] = [:]

        // Significance lives only in a problem's body: a query filtering on it reads the problems first.
        var significance: [String: String] = [:]
        if StructuredSelector.needsSignificance(query, disabled: switchedOff) {
            let problems = index.items(.problem)
            try await readBodies(of: problems, into: &bodies, practice: practice, patientID: patientID)
            for problem in problems {
                if let body = bodies[problem.reference], let value = Conditions.significance(of: body) {
                    significance[problem.reference] = value
                }
            }
        }

        let selection = StructuredSelector(
            index: index, query: query, state: recordState, disabled: switchedOff, includeWithheld: includeWithheld,
            significance: significance
        ).select()
        let needed = selection.itemsNeeded.compactMap { index.byReference[$0] }
        try await readBodies(of: needed, into: &bodies, practice: practice, patientID: patientID)
        return StructuredRecordSTU3(selection: selection, index: index, bodies: bodies, patientID: patientID)
    }

    /// Decodes the items' bodies into `bodies` (by reference), reading those the store handed
    /// out without one in a single call.
    ///
    /// - Throws: ``StoreError/corrupt(_:)`` when a body is missing or does not decode.
    private func readBodies(
        of items: [ClinicalItem], into bodies: inout [String: FHIRElement], practice: String, patientID: String
    ) async throws {
        let items = items.filter { bodies[$0.reference] == nil }
        let deferred = items.filter { $0.body == .deferred }.map(\.id)
        let loaded = deferred.isEmpty ? [:] : try await stores.clinical.bodies(practice: practice, patientID: patientID, ids: deferred)
        for item in items {
            if item.body == .deferred {
                guard let text = loaded[item.id] else { throw StoreError.corrupt("the record's bodies could not all be read") }
                bodies[item.reference] = try ClinicalItem.decode(text, id: item.id)
            } else {
                bodies[item.reference] = try item.resource()
            }
        }
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
}
