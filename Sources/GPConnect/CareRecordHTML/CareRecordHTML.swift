import FHIR
import Foundation
import GPConnectContract

/// Access Record HTML 0.7.4 (`$gpc.getcarerecord`, DSTU2): one section of the patient's record
/// as a clinical HTML view, rendered per request from the same recorded items the structured
/// record lists — there is no second copy of the record.
public struct CareRecordHTML: Sendable {
    let stores: Stores
    let identity: ProviderIdentity

    public init(stores: Stores, identity: ProviderIdentity) {
        self.stores = stores
        self.identity = identity
    }

    var settings: CareRecordSettings { identity.careRecord }

    public func get(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        // An empty or unreadable body is 400 (pack: AccessRecord.feature, "Empty request").
        let query = try CareRecordQuery.parse(try request.resource())
        let today = ISO8601.day(request.now)
        let patient = try await eligiblePatient(query.nhsNumber, practice: request.practice.ods, today: today)
        let html = try await view(query, patientID: patient.id, practice: request.practice, today: today)

        var resources: [FHIRElement] = []
        var organizationID = patient.managingOrganizationID
        var practitioner: FHIRElement?
        var organization: FHIRElement?
        let custodian = patient.managingOrganizationID ?? request.practice.organizationID
        if let record = try await stores.directory.organization(practice: request.practice.ods, id: custodian) {
            organizationID = record.id
            organization = CareRecordDSTU2.organization(record)
        }
        if let id = patient.generalPractitionerID,
            let record = try await stores.directory.practitioner(practice: request.practice.ods, id: id)
        {
            practitioner = CareRecordDSTU2.practitioner(record, organizationID: organizationID ?? request.practice.organizationID)
        }
        resources.append(
            CareRecordDSTU2.composition(
                id: request.caller.traceID.isEmpty ? UUID().uuidString.lowercased() : request.caller.traceID, section: query.section,
                div: html, date: ISO8601.instant(request.now), patientID: patient.id, organizationID: organizationID))
        resources.append(CareRecordDSTU2.patient(patient))
        if let practitioner { resources.append(practitioner) }
        if let organization { resources.append(organization) }
        resources.append(CareRecordDSTU2.device(identity))
        let bundle = CareRecordDSTU2.bundle(id: UUID().uuidString.lowercased(), resources: resources)
        return GPConnectResponse(resource: bundle, auditPatient: patient.nhsNumber.value)
    }

    /// The section's XHTML: the record's index first, then the bodies the section reads, in one call.
    func view(_ query: CareRecordQuery, patientID: String, practice: Practice, today: String) async throws -> String {
        async let indexRead = stores.clinical.itemIndex(practice: practice.ods, patientID: patientID)
        async let stateRead = stores.clinical.recordState(practice: practice.ods, patientID: patientID)
        let index = ClinicalRecordIndex(try await indexRead)
        var view = CareRecordView(query: query, index: index, state: try await stateRead, settings: settings, today: today)
        view.practiceName = practice.name
        let needed = view.neededItems
        let texts = try await stores.clinical.bodies(practice: practice.ods, patientID: patientID, ids: needed.map(\.id))
        // The summary looks through every observation for emergency codes: only those naming one are decoded.
        let screened = query.section == .summary ? Set(index.items(.observation).map(\.id)) : []
        let codes = settings.emergencyCodes.map { "\"" + $0 + "\"" }
        for item in needed {
            guard let text = texts[item.id] else { throw StoreError.corrupt("the record's bodies could not all be read") }
            if screened.contains(item.id), !codes.contains(where: text.contains) { continue }
            view.bodies[item.reference] = try ClinicalItem.decode(text, id: item.id)
        }
        return view.render()
    }

    /// The patient whose record may be shown, or the refusal (GP Connect 0.7.4,
    /// accessrecord_use_case_retrieve_a_care_record_section, "Business rules"): not registered here,
    /// not traced and verified, not GMS, or locally sensitive → `PATIENT_NOT_FOUND`; deceased
    /// longer ago than the access period → `PATIENT_NOT_FOUND`; dissent → `NO_PATIENT_CONSENT`.
    func eligiblePatient(_ nhsNumber: NHSNumber, practice: String, today: String) async throws -> PatientRecord {
        let candidates = try await stores.patients.patients(practice: practice, nhsNumber: nhsNumber)
        let notFound = GPConnectError(.patientNotFound, "No patient with that NHS number is registered at this practice")
        guard let patient = candidates.first(where: { $0.registrationStatus == .active }) ?? candidates.first else { throw notFound }
        guard patient.registrationStatus == .active, !patient.sensitive, patient.nhsNumberVerification == "01",
            patient.registrationType == .regular
        else { throw notFound }
        if let deceased = patient.deceased {
            let died = ClinicalDate.lowerBound(deceased)
            guard ClinicalDate.days(from: died, to: today) <= settings.deceasedAccessDays else { throw notFound }
        }
        // Not on the national service (PDS): the provider cannot trace the patient (pack: AccessRecord.feature,
        // "A patient is requested which is not on Spine but is on provider system").
        guard try await stores.demographics.lookup(nhsNumber: nhsNumber) != nil else { throw notFound }
        guard !patient.dissent else { throw GPConnectError(.noPatientConsent, "The patient has dissented from sharing their record") }
        return patient
    }
}
