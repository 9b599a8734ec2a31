public import FHIR
public import Foundation
public import GPConnectContract

/// One call per interaction of Foundations, Appointment Management and Access Record Structured.
extension GPConnectClient {
    // MARK: Foundations

    public func capabilityStatement(_ endpoint: ProviderEndpoint, capability: Capability = .foundations) async throws(GPConnectClientError)
        -> FHIRElement
    {
        let interaction = Interaction.metadata(of: capability)
        // The 0.7.4 (DSTU2) root answers a Conformance.
        let type = capability.fhirVersion == .dstu2 ? "Conformance" : "CapabilityStatement"
        return try Self.resource(try await send(interaction, to: endpoint, path: "metadata"), type)
    }

    /// Patients with this NHS number (none when the provider does not hold, or may not show, them).
    public func findPatient(_ endpoint: ProviderEndpoint, nhsNumber: String) async throws(GPConnectClientError) -> [FHIRElement] {
        try Self.entries(
            try await send(
                .searchPatient, to: endpoint, path: "Patient", query: [("identifier", IdentifierSystem.nhsNumber + "|" + nhsNumber)]),
            "Patient")
    }

    public func readPatient(_ endpoint: ProviderEndpoint, id: String) async throws(GPConnectClientError) -> FHIRElement {
        try Self.resource(try await send(.readPatient, to: endpoint, path: "Patient/\(id)"), "Patient")
    }

    /// Registers a patient temporarily: `patient` is a `CareConnect-GPC-Patient-1` Patient.
    public func registerPatient(_ endpoint: ProviderEndpoint, patient: FHIRElement) async throws(GPConnectClientError) -> FHIRElement {
        let body = RegisterPatientParameters(patient: patient).fhir
        let patients = try Self.entries(
            try await send(.registerPatient, to: endpoint, path: "Patient/$gpc.registerpatient", body: body), "Patient")
        guard let registered = patients.first else { throw .invalidResponse("the registration Bundle holds no Patient") }
        return registered
    }

    public func findPractitioner(_ endpoint: ProviderEndpoint, sdsUserID: String) async throws(GPConnectClientError) -> [FHIRElement] {
        try Self.entries(
            try await send(
                .searchPractitioner, to: endpoint, path: "Practitioner",
                query: [("identifier", IdentifierSystem.sdsUserID + "|" + sdsUserID)]),
            "Practitioner")
    }

    public func readPractitioner(_ endpoint: ProviderEndpoint, id: String) async throws(GPConnectClientError) -> FHIRElement {
        try Self.resource(try await send(.readPractitioner, to: endpoint, path: "Practitioner/\(id)"), "Practitioner")
    }

    public func findOrganization(_ endpoint: ProviderEndpoint, odsCode: String) async throws(GPConnectClientError) -> [FHIRElement] {
        try Self.entries(
            try await send(
                .searchOrganization, to: endpoint, path: "Organization",
                query: [("identifier", IdentifierSystem.odsOrganizationCode + "|" + odsCode)]),
            "Organization")
    }

    public func readOrganization(_ endpoint: ProviderEndpoint, id: String) async throws(GPConnectClientError) -> FHIRElement {
        try Self.resource(try await send(.readOrganization, to: endpoint, path: "Organization/\(id)"), "Organization")
    }

    public func readLocation(_ endpoint: ProviderEndpoint, id: String) async throws(GPConnectClientError) -> FHIRElement {
        try Self.resource(try await send(.readLocation, to: endpoint, path: "Location/\(id)"), "Location")
    }

    // MARK: Appointment Management

    /// A free-slot search result: the Bundle's resources by type.
    public struct FreeSlots: Sendable {
        public var slots: [FHIRElement]
        public var schedules: [FHIRElement]
        public var practitioners: [FHIRElement]
        public var locations: [FHIRElement]
        public var organizations: [FHIRElement]

        init(_ resources: [FHIRElement]) {
            func of(_ type: String) -> [FHIRElement] { resources.filter { $0["resourceType"]?.string == type } }
            slots = of("Slot")
            schedules = of("Schedule")
            practitioners = of("Practitioner")
            locations = of("Location")
            organizations = of("Organization")
        }

        public func schedule(of slot: FHIRElement) -> FHIRElement? {
            schedules.first { "Schedule/" + ($0["id"]?.string ?? "") == slot["schedule"]?["reference"]?.string }
        }

        func actor(_ schedule: FHIRElement?, _ type: String, in resources: [FHIRElement]) -> FHIRElement? {
            let reference = schedule?["actor"]?.items.compactMap { $0["reference"]?.string }.first { $0.hasPrefix(type + "/") }
            return resources.first { type + "/" + ($0["id"]?.string ?? "") == reference }
        }

        public func practitioner(of slot: FHIRElement) -> FHIRElement? { actor(schedule(of: slot), "Practitioner", in: practitioners) }
        public func location(of slot: FHIRElement) -> FHIRElement? { actor(schedule(of: slot), "Location", in: locations) }

        /// Every slot with its practitioner, location and delivery channel, in Bundle order.
        public var summaries: [SlotSummary] { slots.map { SlotSummary($0, in: self) } }
    }

    /// Free slots between two instants (at most 14 days apart), optionally as a given booking
    /// organisation would see them. Schedules, practitioners, locations and organisations are included.
    public func searchFreeSlots(
        _ endpoint: ProviderEndpoint, from: Date, to: Date, bookingODS: String? = nil, organizationType: String? = nil
    ) async throws(GPConnectClientError) -> FreeSlots {
        var query: [(String, String)] = [
            ("start", "ge" + UKTime.format(from)), ("end", "le" + UKTime.format(to)), ("status", "free"), ("_include", "Slot:schedule"),
            ("_include:recurse", "Schedule:actor:Practitioner"), ("_include:recurse", "Schedule:actor:Location"),
            ("_include:recurse", "Location:managingOrganization"),
        ]
        if let bookingODS { query.append(("searchFilter", IdentifierSystem.odsOrganizationCode + "|" + bookingODS)) }
        if let organizationType { query.append(("searchFilter", CodeSystemURL.organisationType + "|" + organizationType)) }
        return FreeSlots(try Self.entries(try await send(.searchFreeSlots, to: endpoint, path: "Slot", query: query)))
    }

    /// Who is booking: the organisation contained in the appointment.
    public typealias BookingOrganisation = GPConnectContract.BookingOrganisation

    /// Books `slot` (a Slot from ``searchFreeSlots(_:from:to:bookingODS:organizationType:)``) for a patient.
    public func book(
        _ endpoint: ProviderEndpoint, slot: FHIRElement, locationID: String, patientID: String, description: String, comment: String? = nil,
        bookedBy organisation: BookingOrganisation, now: Date = Date()
    ) async throws(GPConnectClientError) -> (appointment: FHIRElement, etag: String?) {
        let booking = AppointmentBooking(
            slotID: slot["id"]?.string ?? "", start: slot["start"]?.string, end: slot["end"]?.string, patientID: patientID,
            locationID: locationID, description: description, comment: comment, organisation: organisation, created: now)
        return try await book(endpoint, booking)
    }

    /// Books a slot of ``FreeSlots/summaries`` for a patient at the slot's location.
    public func book(
        _ endpoint: ProviderEndpoint, slot: SlotSummary, patientID: String, description: String, comment: String? = nil,
        bookedBy organisation: BookingOrganisation, now: Date = Date()
    ) async throws(GPConnectClientError) -> (appointment: FHIRElement, etag: String?) {
        let booking = AppointmentBooking(
            slotID: slot.id, start: slot.start, end: slot.end, patientID: patientID, locationID: slot.locationID ?? "",
            description: description, comment: comment, organisation: organisation, created: now)
        return try await book(endpoint, booking)
    }

    /// Sends a booking as built.
    public func book(_ endpoint: ProviderEndpoint, _ booking: AppointmentBooking) async throws(GPConnectClientError) -> (
        appointment: FHIRElement, etag: String?
    ) {
        let response = try await send(.bookAppointment, to: endpoint, path: "Appointment", body: booking.fhir)
        return (try Self.resource(response, "Appointment"), response.etag)
    }
    public func readAppointment(_ endpoint: ProviderEndpoint, id: String) async throws(GPConnectClientError) -> FHIRElement {
        try Self.resource(try await send(.readAppointment, to: endpoint, path: "Appointment/\(id)"), "Appointment")
    }

    /// A patient's appointments starting on the days `from` … `through` (local dates, today or later).
    public func patientAppointments(_ endpoint: ProviderEndpoint, patientID: String, from: Date, through: Date)
        async throws(GPConnectClientError)
        -> [FHIRElement]
    {
        try Self.entries(
            try await send(
                .searchPatientAppointments, to: endpoint, path: "Patient/\(patientID)/Appointment",
                query: [("start", "ge" + UKTime.day(from)), ("start", "le" + UKTime.day(through))]),
            "Appointment")
    }

    /// Changes description and/or comment of an appointment as read (its version goes in `If-Match`).
    public func amend(_ endpoint: ProviderEndpoint, appointment: FHIRElement, description: String? = nil, comment: String? = nil)
        async throws(GPConnectClientError) -> FHIRElement
    {
        var body = appointment.object ?? FHIRObject()
        if let description { body["description"] = .string(description) }
        if let comment { body["comment"] = .string(comment) }
        return try await update(.amendAppointment, endpoint, .object(body))
    }

    /// Cancels an appointment as read, with a reason.
    public func cancel(_ endpoint: ProviderEndpoint, appointment: FHIRElement, reason: String) async throws(GPConnectClientError)
        -> FHIRElement
    {
        let body = AppointmentCancellation(appointment: appointment.object ?? FHIRObject(), reason: reason).fhir
        return try await update(.cancelAppointment, endpoint, body)
    }

    func update(_ interaction: Interaction, _ endpoint: ProviderEndpoint, _ body: FHIRElement) async throws(GPConnectClientError)
        -> FHIRElement
    {
        guard let id = body["id"]?.string else { throw .invalidResponse("the appointment has no id") }
        let version = body["meta"]?["versionId"]?.string
        let response = try await send(
            interaction, to: endpoint, path: "Appointment/\(id)", body: body, headers: version.map { [("If-Match", "W/\"\($0)\"")] } ?? [])
        return try Self.resource(response, "Appointment")
    }

    // MARK: Access Record Structured

    /// Clinical areas of `$gpc.getstructuredrecord`, by the names consumers type; the parameter
    /// names come from the domain's ``GPConnectContract/ClinicalArea``.
    public enum ClinicalArea: Sendable, CaseIterable {
        case allergies
        case medication
        case problems
        case consultations
        case immunisations
        case uncategorised
        case investigations
        case referrals
        case diary

        public var area: GPConnectContract.ClinicalArea {
            switch self {
            case .allergies: .allergies
            case .medication: .medications
            case .problems: .problems
            case .consultations: .consultations
            case .immunisations: .immunisations
            case .uncategorised: .uncategorised
            case .investigations: .investigations
            case .referrals: .referrals
            case .diary: .diary
            }
        }

        /// The operation parameter that asks for the area: resolved allergies and prescription
        /// issues included.
        public var parameter: StructuredRecordParameters.Parameter {
            switch self {
            case .allergies: .allergies(includeResolved: true)
            case .medication: .medication(includePrescriptionIssues: true)
            default: StructuredRecordParameters.Parameter(area)
            }
        }
    }

    /// The structured record of a patient for the chosen clinical areas (a Bundle).
    public func structuredRecord(_ endpoint: ProviderEndpoint, nhsNumber: String, areas: [ClinicalArea]) async throws(GPConnectClientError)
        -> FHIRElement
    {
        try await structuredRecord(endpoint, StructuredRecordParameters(nhsNumber: nhsNumber, parameters: areas.map(\.parameter)))
    }

    /// The structured record for a request as built (areas with any of their parts).
    public func structuredRecord(_ endpoint: ProviderEndpoint, _ parameters: StructuredRecordParameters) async throws(GPConnectClientError)
        -> FHIRElement
    {
        try Self.resource(
            try await send(.getStructuredRecord, to: endpoint, path: "Patient/$gpc.getstructuredrecord", body: parameters.fhir), "Bundle")
    }

    /// The whole record for a GP2GP-style transfer to the patient's new practice. Sensitive
    /// information is included only when asked for, and then the token carries `conf/R`.
    public func migrateStructuredRecord(_ endpoint: ProviderEndpoint, nhsNumber: String, includeSensitive: Bool)
        async throws(GPConnectClientError)
        -> FHIRElement
    {
        let body = StructuredRecordParameters.migration(nhsNumber: nhsNumber, includeSensitive: includeSensitive).fhir
        return try Self.resource(
            try await send(
                .migrateStructuredRecord, to: endpoint, path: "Patient/$gpc.migratestructuredrecord", body: body,
                confidentiality: includeSensitive ? "conf/R" : "conf/N"),
            "Bundle")
    }
}

extension GPConnectClient {
    /// Access Record HTML 0.7.4: one section of the patient's record as the provider's clinical
    /// view (`$gpc.getcarerecord` on the DSTU2 service root), optionally for a period (FHIR dates).
    public func careRecord(
        _ endpoint: ProviderEndpoint, nhsNumber: String, section: CareRecordSection, period: (start: String?, end: String?)? = nil
    ) async throws(GPConnectClientError) -> (bundle: FHIRElement, view: CareRecordSummary) {
        let parameters = CareRecordParameters(nhsNumber: nhsNumber, section: section, start: period?.start, end: period?.end)
        let response = try await send(
            .getCareRecord, to: endpoint, path: Interaction.getCareRecord.path, body: parameters.fhir, requestedNHSNumber: nhsNumber)
        let bundle = try Self.resource(response, "Bundle")
        return (bundle, CareRecordSummary(bundle))
    }
}
