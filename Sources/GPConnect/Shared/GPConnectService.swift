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
    public let documents: Documents
    let tasks: TaskManagement
    let careRecord: CareRecordHTML
    /// Keeps slots released on the rolling window.
    public let diary: Diary

    public init(stores: Stores, identity: ProviderIdentity = ProviderIdentity(), documents: DocumentSettings = DocumentSettings()) {
        self.stores = stores
        self.identity = identity
        self.foundations = Foundations(stores: stores)
        self.registration = Registration(stores: stores)
        self.diary = Diary(stores: stores)
        self.appointments = AppointmentManagement(stores: stores, diary: diary)
        self.documents = Documents(stores: stores, settings: documents)
        self.structured = StructuredRecord(stores: stores, documents: self.documents)
        self.tasks = TaskManagement(stores: stores)
        self.careRecord = CareRecordHTML(stores: stores, identity: identity)
    }

    public func handle(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        // Access Document switched off answers 403 from its CapabilityStatement too (GP Connect
        // 1.6.2, access_documents_use_case_get_the_fhir_capability_statement, "Error handling").
        if request.interaction == .readDocumentsMetadata { try await documents.requireEnabled(request.practice) }
        return switch request.interaction {
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
        case .searchDocumentsPatient: try await documents.searchPatient(request)
        case .searchDocuments: try await documents.searchDocuments(request)
        case .readBinary: try await documents.readBinary(request, migrating: false)
        case .migrateBinary: try await documents.readBinary(request, migrating: true)
        case .createTask: try await tasks.create(request)
        case .readTask: try await tasks.read(request)
        case .searchTasks: try await tasks.search(request)
        case .cancelTask: try await tasks.cancel(request)
        case .getCareRecord: try await careRecord.get(request)
        }
    }
}
