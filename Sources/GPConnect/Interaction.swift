/// A GP Connect capability: each has its own FHIR service root under the practice's ODS code.
public enum Capability: String, Sendable, CaseIterable, Codable {
    /// Foundations and Appointment Management share this root.
    case foundations
    case structured
    case documents

    /// The routing segment after `/{ODS}/STU3/1/` (GP Connect 1.6.2, development_general_api_guidance,
    /// "Service Root URL versioning"; pack: App.config `serverBaseFoundationsAndAppmts` and siblings).
    public var routingSegment: String {
        switch self {
        case .foundations: "gpconnect/fhir"
        case .structured: "gpconnect/structured/fhir"
        case .documents: "gpconnect/documents/fhir"
        }
    }

    /// The service root path for a practice, without a trailing slash.
    public func serviceRoot(ods: String) -> String { "/\(ods)/STU3/1/\(routingSegment)" }
}

/// The JWT `requested_scope` values (GP Connect 1.6.2, integration_cross_organisation_audit_and_provenance,
/// "`requested_scope` claim").
public enum Scope: String, Sendable, CaseIterable, Codable {
    case patientRead = "patient/*.read"
    case patientWrite = "patient/*.write"
    case organizationRead = "organization/*.read"
    case organizationWrite = "organization/*.write"
}

/// Every GP Connect interaction this server routes: its Spine interaction id, HTTP method, path
/// relative to the service root, and the JWT scope it requires.
///
/// This is the one table of paths and ids; routes, header checks, the audit trail and the
/// consumer client all read it.
public enum Interaction: String, Sendable, CaseIterable, Codable {
    case readMetadata
    case searchPatient
    case readPatient
    case registerPatient
    case searchPractitioner
    case readPractitioner
    case searchOrganization
    case readOrganization
    case readLocation
    case searchFreeSlots
    case bookAppointment
    case readAppointment
    case searchPatientAppointments
    case amendAppointment
    case cancelAppointment
    case readStructuredMetadata
    case getStructuredRecord
    case migrateStructuredRecord
    case readDocumentsMetadata
    case searchDocumentsPatient
    case searchDocuments
    case readBinary

    public enum Method: String, Sendable { case GET, POST, PUT }

    public var id: String {
        let prefix = "urn:nhs:names:services:gpconnect:"
        return switch self {
        case .readMetadata: prefix + "fhir:rest:read:metadata-1"
        case .searchPatient: prefix + "fhir:rest:search:patient-1"
        case .readPatient: prefix + "fhir:rest:read:patient-1"
        case .registerPatient: prefix + "fhir:operation:gpc.registerpatient-1"
        case .searchPractitioner: prefix + "fhir:rest:search:practitioner-1"
        case .readPractitioner: prefix + "fhir:rest:read:practitioner-1"
        case .searchOrganization: prefix + "fhir:rest:search:organization-1"
        case .readOrganization: prefix + "fhir:rest:read:organization-1"
        case .readLocation: prefix + "fhir:rest:read:location-1"
        case .searchFreeSlots: prefix + "fhir:rest:search:slot-1"
        case .bookAppointment: prefix + "fhir:rest:create:appointment-1"
        case .readAppointment: prefix + "fhir:rest:read:appointment-1"
        case .searchPatientAppointments: prefix + "fhir:rest:search:patient_appointments-1"
        case .amendAppointment: prefix + "fhir:rest:update:appointment-1"
        case .cancelAppointment: prefix + "fhir:rest:cancel:appointment-1"
        case .readStructuredMetadata: prefix + "structured:fhir:rest:read:metadata-1"
        case .getStructuredRecord: prefix + "fhir:operation:gpc.getstructuredrecord-1"
        case .migrateStructuredRecord: prefix + "fhir:operation:gpc.migratestructuredrecord-1"
        case .readDocumentsMetadata: prefix + "documents:fhir:rest:read:metadata-1"
        case .searchDocumentsPatient: prefix + "documents:fhir:rest:search:patient-1"
        case .searchDocuments: prefix + "documents:fhir:rest:search:documentreference-1"
        case .readBinary: prefix + "documents:fhir:rest:read:binary-1"
        }
    }

    public init?(interactionID: String) {
        guard let match = Self.allCases.first(where: { $0.id == interactionID }) else { return nil }
        self = match
    }

    public var capability: Capability {
        switch self {
        case .readStructuredMetadata, .getStructuredRecord, .migrateStructuredRecord: .structured
        case .readDocumentsMetadata, .searchDocumentsPatient, .searchDocuments, .readBinary: .documents
        default: .foundations
        }
    }

    public var method: Method {
        switch self {
        case .registerPatient, .bookAppointment, .getStructuredRecord, .migrateStructuredRecord: .POST
        case .amendAppointment, .cancelAppointment: .PUT
        default: .GET
        }
    }

    /// Path relative to the service root; `{id}` marks the logical id.
    public var path: String {
        switch self {
        case .readMetadata, .readStructuredMetadata, .readDocumentsMetadata: "metadata"
        case .searchPatient, .searchDocumentsPatient: "Patient"
        case .readPatient: "Patient/{id}"
        case .registerPatient: "Patient/$gpc.registerpatient"
        case .searchPractitioner: "Practitioner"
        case .readPractitioner: "Practitioner/{id}"
        case .searchOrganization: "Organization"
        case .readOrganization: "Organization/{id}"
        case .readLocation: "Location/{id}"
        case .searchFreeSlots: "Slot"
        case .bookAppointment: "Appointment"
        case .readAppointment, .amendAppointment, .cancelAppointment: "Appointment/{id}"
        case .searchPatientAppointments: "Patient/{id}/Appointment"
        case .getStructuredRecord: "Patient/$gpc.getstructuredrecord"
        case .migrateStructuredRecord: "Patient/$gpc.migratestructuredrecord"
        case .searchDocuments: "Patient/{id}/DocumentReference"
        case .readBinary: "Binary/{id}"
        }
    }

    /// The scope the JWT must request (GP Connect 1.6.2, integration_cross_organisation_audit_and_provenance,
    /// "`requested_scope` claim" table).
    public var scope: Scope {
        switch self {
        case .searchPatient, .readPatient, .readAppointment, .searchPatientAppointments, .getStructuredRecord,
            .migrateStructuredRecord, .searchDocumentsPatient, .searchDocuments, .readBinary:
            .patientRead
        case .registerPatient, .bookAppointment, .amendAppointment, .cancelAppointment: .patientWrite
        case .readMetadata, .readStructuredMetadata, .readDocumentsMetadata, .searchPractitioner, .readPractitioner,
            .searchOrganization, .readOrganization, .readLocation, .searchFreeSlots:
            .organizationRead
        }
    }

    /// Reads and searches: no side effect, safe to retry.
    public var isQuery: Bool {
        switch self {
        case .registerPatient, .bookAppointment, .amendAppointment, .cancelAppointment: false
        default: true
        }
    }

    /// The Spine code a read answers when its id is unknown.
    public var notFoundCode: SpineErrorCode {
        switch self {
        case .readPatient, .searchPatientAppointments, .searchDocuments: .patientNotFound
        case .readPractitioner: .practitionerNotFound
        case .readOrganization: .organisationNotFound
        default: .noRecordFound
        }
    }
}
