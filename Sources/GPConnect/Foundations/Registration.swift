import FHIR
public import Foundation
import GPConnectContract

/// `$gpc.registerpatient` (GP Connect 1.6.2, foundations_use_case_register_a_patient): a temporary
/// registration so that a federated practice can book the patient in. Never creates or reactivates a
/// regular (GMS) registration.
public struct Registration: Sendable {
    let stores: Stores
    /// How long a temporary registration lasts (a temporary resident is registered for up to three months).
    public var temporaryPeriod: DateComponents = DateComponents(month: 3)

    public init(stores: Stores) { self.stores = stores }

    /// What the consumer asked to register, after structural validation.
    struct Request {
        var nhsNumber: NHSNumber
        var name: PersonName
        var otherNames: [PersonName]
        var gender: String?
        var birthDate: String
        var addresses: [Address]
        var telecom: [ContactPoint]
        var languages: [PatientLanguage]
    }

    /// `POST Patient/$gpc.registerpatient`: parse, register, render the Bundle of the registered patient.
    public func register(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let wanted = try Self.parse(try request.resource())
        let record = try await register(wanted, practice: request.practice, now: request.now)
        return GPConnectResponse(
            resource: FHIRBundle.searchset([record.fhir(practice: request.practice)]), auditPatient: record.nhsNumber.value,
            auditResource: "Patient/\(record.id)/_history/\(record.version)")
    }

    /// Registers a validated request temporarily at the practice: the channel-neutral use case.
    ///
    /// - Throws: `422 INVALID_PATIENT_DEMOGRAPHICS` / `INVALID_NHS_NUMBER` when PDS or the practice
    ///   refuses the person, `409 DUPLICATE_REJECTED` when already registered (also when a concurrent
    ///   registration wins), `500` when PDS cannot be reached.
    func register(_ wanted: Request, practice registering: Practice, now: Date) async throws -> PatientRecord {
        let practice = registering.ods

        // 1. PDS: the person must be traceable, alive, not sensitive, not superseded, and verify.
        let person: DemographicsRecord?
        do {
            person = try await stores.demographics.lookup(nhsNumber: wanted.nhsNumber)
        } catch {
            throw GPConnectError(.internalServerError, "The demographics service could not be reached")
        }
        guard let person else { throw GPConnectError(.invalidPatientDemographics, "The NHS number is not known to PDS") }
        guard !person.superseded else { throw GPConnectError(.invalidNHSNumber, "The NHS number is invalid or superseded on PDS") }
        guard !person.sensitive else {
            throw GPConnectError(.invalidPatientDemographics, "The patient cannot be registered through GP Connect")
        }
        guard person.deceased == nil else { throw GPConnectError(.invalidPatientDemographics, "PDS records the patient as deceased") }
        guard DemographicsMatch.verifies(name: wanted.name, birthDate: wanted.birthDate, against: person) else {
            throw GPConnectError(.invalidPatientDemographics, "The demographics do not match PDS")
        }

        // 2. Local patient index: active → duplicate; deceased → refuse; inactive → reactivate.
        let existing = try await stores.patients.patients(practice: practice, nhsNumber: wanted.nhsNumber)
        if existing.contains(where: { $0.registrationStatus == .active && $0.deceased == nil }) {
            throw GPConnectError(.duplicateRejected, "The patient is already registered at this practice")
        }
        if existing.contains(where: { $0.deceased != nil }) {
            throw GPConnectError(.invalidPatientDemographics, "The practice records the patient as deceased")
        }
        let previous = existing.first

        // 3. Local registration: the consumer's demographics, gaps filled from PDS.
        let start = now
        let end = Calendar(identifier: .gregorian).date(byAdding: temporaryPeriod, to: start) ?? start
        let endDay = ISO8601.day(end)
        let id: String
        if let previous { id = previous.id } else { id = try await stores.patients.nextPatientID(practice: practice) }
        var record = PatientRecord(
            id: id,
            nhsNumber: wanted.nhsNumber, nhsNumberVerification: "01", name: wanted.name, otherNames: wanted.otherNames,
            gender: wanted.gender ?? person.gender, birthDate: wanted.birthDate,
            addresses: wanted.addresses.map { address in
                var address = address
                if address.use == "temp" { address.periodEnd = endDay }
                return address
            },
            telecom: wanted.telecom.map { contact in
                var contact = contact
                if contact.use == "temp" { contact.periodEnd = endDay }
                return contact
            },
            languages: wanted.languages, registrationStatus: .active, registrationType: .temporary,
            registrationStart: ISO8601.instant(start), registrationEnd: ISO8601.instant(end),
            preferredBranchSurgeryID: previous?.preferredBranchSurgeryID,
            generalPractitionerID: previous?.generalPractitionerID, managingOrganizationID: registering.organizationID,
            version: previous.map { String((Int($0.version) ?? 0) + 1) } ?? "1")
        if record.addresses.isEmpty, let previous { record.addresses = previous.addresses }
        do {
            try await stores.patients.savePatient(record, practice: practice, expectedVersion: previous?.version)
        } catch StoreError.conflict {
            // Someone registered (or changed) the same person between our read and our write.
            throw GPConnectError(.duplicateRejected, "The patient is already registered at this practice")
        }
        return record
    }

    // MARK: Validation

    /// Patient elements a registration may carry (GP Connect 1.6.2, foundations_use_case_register_a_patient,
    /// "Payload request body"); anything else is refused.
    static let allowedElements: Set<String> = [
        "resourceType", "id", "meta", "identifier", "name", "gender", "birthDate", "address", "telecom", "extension",
    ]

    /// Validates the `Parameters` body. Structural problems the conformance pack reads as
    /// `400 BAD_REQUEST` (pack PatientRegister.feature: "Register patient with duplicate patient
    /// resource parameters", "…no official name", "…without date of birth") are; elements that must
    /// not be sent are `422 INVALID_RESOURCE`.
    static func parse(_ body: FHIRElement) throws(GPConnectError) -> Request {
        guard body["resourceType"]?.string == "Parameters" else { throw .invalidResource("The body must be a Parameters resource") }
        let parameters = body["parameter"]?.items ?? []
        let registrations = parameters.filter { $0["name"]?.string == "registerPatient" }
        guard registrations.count <= 1 else { throw .badRequest("Parameter registerPatient must occur once") }
        guard let registration = registrations.first else { throw .invalidParameter("Parameter registerPatient is required") }
        if let other = parameters.first(where: { $0["name"]?.string != "registerPatient" }) {
            throw .invalidParameter("Parameter \(other["name"]?.string ?? "(unnamed)") is not supported")
        }
        guard let patient = registration["resource"], patient["resourceType"]?.string == "Patient" else {
            throw .invalidResource("Parameter registerPatient must hold a Patient resource")
        }
        guard let fields = patient.object else { throw .invalidResource("Parameter registerPatient must hold a Patient resource") }
        for name in fields.names where !allowedElements.contains(name) {
            throw .invalidResource("Patient.\(name) must not be sent when registering a patient")
        }
        if let profiles = patient["meta"]?["profile"]?.items, !profiles.contains(where: { $0.string == Profile.patient }) {
            throw .invalidResource("Patient.meta.profile must be \(Profile.patient)")
        }

        // Identifiers: exactly one valid NHS number; others need a system.
        let identifiers = patient["identifier"]?.items ?? []
        guard !identifiers.isEmpty else { throw GPConnectError(.invalidNHSNumber, "Patient.identifier must carry the NHS number") }
        for identifier in identifiers where identifier["system"]?.string?.isEmpty != false {
            throw .badRequest("Every Patient.identifier needs a system")
        }
        let nhsIdentifiers = identifiers.filter { $0["system"]?.string == IdentifierSystem.nhsNumber }
        guard nhsIdentifiers.count == 1 else {
            throw GPConnectError(.invalidNHSNumber, "Patient.identifier must carry exactly one NHS number")
        }
        guard let nhsNumber = nhsIdentifiers[0]["value"]?.string.flatMap(NHSNumber.init) else {
            throw GPConnectError(.invalidNHSNumber, "The NHS number is not valid")
        }

        // Names: exactly one official name with a family name.
        let names = try (patient["name"]?.items ?? []).map { (element) throws(GPConnectError) -> PersonName in try personName(element) }
        let official = names.filter { $0.use == "official" }
        guard official.count == 1, let name = official.first else {
            throw .badRequest("Patient.name must include exactly one official name")
        }
        guard name.family?.isEmpty == false else { throw .badRequest("The official name must have a family name") }
        guard !name.given.isEmpty else { throw .badRequest("The official name must have a given name") }

        guard let birthDate = patient["birthDate"]?.string else { throw .badRequest("Patient.birthDate is required") }
        guard FHIRDate.isDate(birthDate) else { throw .invalidResource("Patient.birthDate is not a valid date") }
        let gender = patient["gender"]?.string
        if let gender, !["male", "female", "other", "unknown"].contains(gender) {
            throw .invalidResource("Patient.gender is not a valid administrative gender")
        }

        // Addresses: at most one home and one temporary.
        let addresses = try (patient["address"]?.items ?? []).map { (element) throws(GPConnectError) -> Address in try address(element) }
        for use in ["home", "temp"] where addresses.filter({ $0.use == use }).count > 1 {
            throw .invalidResource("Patient.address may hold one \(use) address")
        }
        if let other = addresses.first(where: { !["home", "temp"].contains($0.use ?? "") }) {
            throw .invalidResource("Patient.address use \(other.use ?? "(none)") is not allowed; use home or temp")
        }

        // Telecoms: system and value, one per system and use.
        let telecom = try (patient["telecom"]?.items ?? []).map { (element) throws(GPConnectError) -> ContactPoint in
            try contactPoint(element)
        }
        var seen = Set<String>()
        for contact in telecom where !seen.insert("\(contact.system)|\(contact.use ?? "")").inserted {
            throw .badRequest("Patient.telecom may hold one \(contact.system) of use \(contact.use ?? "(none)")")
        }

        // Extensions: only one NHS communication.
        var languages: [PatientLanguage] = []
        let extensions = patient["extension"]?.items ?? []
        for element in extensions {
            guard element["url"]?.string == ExtensionURL.nhsCommunication else {
                throw .invalidResource("Extension \(element["url"]?.string ?? "(no url)") is not allowed when registering a patient")
            }
            languages.append(try language(element))
        }
        guard languages.count <= 1 else { throw .invalidResource("Only one NHS communication extension is allowed") }

        return Request(
            nhsNumber: nhsNumber, name: name, otherNames: names.filter { $0.use != "official" }, gender: gender,
            birthDate: birthDate, addresses: addresses, telecom: telecom, languages: languages)
    }

    static func personName(_ element: FHIRElement) throws(GPConnectError) -> PersonName {
        guard element.object != nil else { throw .invalidResource("Patient.name is not a HumanName") }
        return PersonName(
            use: element["use"]?.string, family: element["family"]?.string,
            given: (element["given"]?.items ?? []).compactMap(\.string),
            prefix: (element["prefix"]?.items ?? []).compactMap(\.string), text: element["text"]?.string)
    }

    static func address(_ element: FHIRElement) throws(GPConnectError) -> Address {
        guard element.object != nil else { throw .invalidResource("Patient.address is not an Address") }
        return Address(
            use: element["use"]?.string, type: element["type"]?.string, lines: (element["line"]?.items ?? []).compactMap(\.string),
            city: element["city"]?.string, district: element["district"]?.string, postalCode: element["postalCode"]?.string,
            country: element["country"]?.string)
    }

    static func contactPoint(_ element: FHIRElement) throws(GPConnectError) -> ContactPoint {
        guard let system = element["system"]?.string, let value = element["value"]?.string, !value.isEmpty else {
            throw .invalidResource("Patient.telecom needs a system and a value")
        }
        guard ["phone", "email"].contains(system) else { throw .invalidResource("Patient.telecom system must be phone or email") }
        let use = element["use"]?.string
        if let use, !["home", "work", "temp", "old", "mobile"].contains(use) {
            throw .invalidResource("Patient.telecom use \(use) is not valid")
        }
        return ContactPoint(system: system, value: value, use: use)
    }

    static func language(_ element: FHIRElement) throws(GPConnectError) -> PatientLanguage {
        let parts = element["extension"]?.items ?? []
        guard let coding = parts.first(where: { $0["url"]?.string == "language" })?["valueCodeableConcept"]?["coding"]?.items.first,
            let code = coding["code"]?.string
        else { throw .invalidResource("The NHS communication extension needs a language") }
        return PatientLanguage(
            code: code, display: coding["display"]?.string,
            preferred: parts.first { $0["url"]?.string == "preferred" }?["valueBoolean"]?.bool,
            interpreterRequired: parts.first { $0["url"]?.string == "interpreterRequired" }?["valueBoolean"]?.bool)
    }
}
