import FHIR
import Foundation
import GPConnectContract

/// Dispatches a checked request to its interaction. The one place that knows which handler
/// serves which interaction; the HTTP layer only routes and renders.
public struct GPConnectService: Sendable {
    public let stores: Stores
    public let identity: ProviderIdentity
    let foundations: Foundations
    let registration: Registration
    let appointments: AppointmentManagement
    let structured: StructuredRecord
    let careRecord: CareRecordHTML
    /// Keeps slots released on the rolling window.
    public let diary: Diary

    public init(stores: Stores, identity: ProviderIdentity = ProviderIdentity()) {
        self.stores = stores
        self.identity = identity
        self.foundations = Foundations(stores: stores)
        self.registration = Registration(stores: stores)
        self.diary = Diary(stores: stores)
        self.appointments = AppointmentManagement(stores: stores, diary: diary)
        self.structured = StructuredRecord(stores: stores)
        self.careRecord = CareRecordHTML(stores: stores, identity: identity)
    }

    public func handle(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        switch request.interaction {
        case .readMetadata, .readStructuredMetadata, .readDocumentsMetadata, .readCareRecordMetadata:
            GPConnectResponse(
                resource: CapabilityStatements.statement(
                    for: request.interaction.capability, identity: identity, date: ISO8601.day(request.now)))
        case .searchPatient: try await foundations.searchPatient(request)
        case .readPatient: try await foundations.readPatient(request)
        case .registerPatient: try await registration.register(request)
        case .searchPractitioner: try await foundations.searchPractitioner(request)
        case .readPractitioner: try await foundations.readPractitioner(request)
        case .searchOrganization: try await foundations.searchOrganization(request)
        case .readOrganization: try await foundations.readOrganization(request)
        case .readLocation: try await foundations.readLocation(request)
        case .searchFreeSlots: try await appointments.searchFreeSlots(request)
        case .bookAppointment: try await appointments.book(request)
        case .readAppointment: try await appointments.read(request)
        case .searchPatientAppointments: try await appointments.retrieve(request)
        case .amendAppointment, .cancelAppointment: try await appointments.amendOrCancel(request)
        case .getStructuredRecord: try await structured.get(request)
        case .migrateStructuredRecord: try await structured.migrate(request)
        case .getCareRecord: try await careRecord.get(request)
        case .searchDocumentsPatient, .searchDocuments, .readBinary:
            throw GPConnectError(.notImplemented, "This interaction is not implemented by this provider yet")
        }
    }
}
