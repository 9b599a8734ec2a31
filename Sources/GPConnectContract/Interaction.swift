/// A FHIR version a GP Connect service root speaks: its path segment and its error profile.
///
/// STU3 carries every 1.x capability; Access Record HTML (0.7.4) is DSTU2, with its own root
/// `/{ODS}/DSTU2/1/…`, MIME types and OperationOutcome profile (nhsconnect/gpconnect release/0.7.4,
/// development_fhir_api_guidance).
public enum FHIRVersion: String, Sendable, CaseIterable, Codable {
    case stu3
    case dstu2

    /// The path segment after the ODS code: `STU3/1`, `DSTU2/1`.
    public var pathSegment: String {
        switch self {
        case .stu3: "STU3/1"
        case .dstu2: "DSTU2/1"
        }
    }
}

/// A GP Connect capability: each has its own FHIR service root under the practice's ODS code.
public enum Capability: String, Sendable, CaseIterable, Codable {
    /// Foundations and Appointment Management share this root.
    case foundations
    case structured
    case documents
    /// Access Record HTML 0.7.4: its own DSTU2 service root (metadata and `$gpc.getcarerecord`).
    case careRecord

    public var fhirVersion: FHIRVersion {
        switch self {
        case .foundations, .structured, .documents: .stu3
        case .careRecord: .dstu2
        }
    }

    /// The routing segment after `/{ODS}/STU3/1/` (GP Connect 1.6.2, development_general_api_guidance,
    /// "Service Root URL versioning"; pack: App.config `serverBaseFoundationsAndAppmts` and siblings).
    public var routingSegment: String {
        switch self {
        case .foundations: "gpconnect/fhir"
        case .structured: "gpconnect/structured/fhir"
        case .documents: "gpconnect/documents/fhir"
        // GP Connect 0.7.4, development_general_api_guidance: `https://[FQDN]/[ODS]/DSTU2/1/gpconnect`.
        case .careRecord: "gpconnect"
        }
    }

    /// The path of the service root relative to the practice: `STU3/1/gpconnect/fhir`.
    public var rootPath: String { fhirVersion.pathSegment + "/" + routingSegment }

    /// The service root path for a practice, without a trailing slash.
    public func serviceRoot(ods: String) -> String { "/\(ods)/\(rootPath)" }
}

/// The JWT `requested_scope` values (GP Connect 1.6.2, integration_cross_organisation_audit_and_provenance,
/// "`requested_scope` claim").
public enum Scope: String, Sendable, CaseIterable, Codable {
    case patientRead = "patient/*.read"
    case patientWrite = "patient/*.write"
    case organizationRead = "organization/*.read"
    case organizationWrite = "organization/*.write"
}

/// Every GP Connect interaction: its Spine interaction id, HTTP method, path relative to the
/// service root, and the JWT scope it requires.
///
/// This is the one table of paths and ids; routes, header checks, the audit trail, the consumer
/// client, the benchmark and the tests all read it. Each interaction is one row of ``spec``, an
/// exhaustive `switch`: a new case does not compile until its row is written.
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
    /// D5: the same `GET Binary/{id}` as ``readBinary``, told apart by `Ssp-InteractionID`.
    case migrateBinary
    case createTask
    case readTask
    case searchTasks
    case cancelTask
    case readCareRecordMetadata
    case getCareRecord

    public enum Method: String, Sendable { case GET, POST, PUT }

    /// Whether an interaction changes the record (never retried by a consumer) or only reads it.
    public enum Effect: Sendable { case read, write }

    /// One row of the interaction table.
    public struct Spec: Sendable {
        /// The `Ssp-InteractionID` after `urn:nhs:names:services:gpconnect:`.
        public var idSuffix: String
        public var capability: Capability
        public var method: Method
        /// Path relative to the service root; `{id}` marks the logical id.
        public var path: String
        public var scope: Scope
        public var effect: Effect
        /// The Spine code a read answers when its id is unknown.
        public var notFoundCode: SpineErrorCode
        /// An interaction of this project's own, not published by NHS England: its id is minted
        /// under ``Interaction/extensionPrefix`` instead of the NHS namespace.
        public var isExtension: Bool

        init(
            _ idSuffix: String, _ capability: Capability, _ method: Method, _ path: String, _ scope: Scope, _ effect: Effect = .read,
            notFound: SpineErrorCode = .noRecordFound, extension isExtension: Bool = false
        ) {
            self.isExtension = isExtension
            self.idSuffix = idSuffix
            self.capability = capability
            self.method = method
            self.path = path
            self.scope = scope
            self.effect = effect
            self.notFoundCode = notFound
        }
    }

    /// The row of this interaction (ids from nhsconnect/gpconnect feature/1.6.2 and feature/1.2.9,
    /// each use case page's "Spine interaction ID").
    public var spec: Spec {
        switch self {
        case .readMetadata: Spec("fhir:rest:read:metadata-1", .foundations, .GET, "metadata", .organizationRead)
        case .searchPatient: Spec("fhir:rest:search:patient-1", .foundations, .GET, "Patient", .patientRead)
        case .readPatient:
            Spec("fhir:rest:read:patient-1", .foundations, .GET, "Patient/{id}", .patientRead, notFound: .patientNotFound)
        case .registerPatient:
            Spec("fhir:operation:gpc.registerpatient-1", .foundations, .POST, "Patient/$gpc.registerpatient", .patientWrite, .write)
        case .searchPractitioner: Spec("fhir:rest:search:practitioner-1", .foundations, .GET, "Practitioner", .organizationRead)
        case .readPractitioner:
            Spec(
                "fhir:rest:read:practitioner-1", .foundations, .GET, "Practitioner/{id}", .organizationRead,
                notFound: .practitionerNotFound)
        case .searchOrganization: Spec("fhir:rest:search:organization-1", .foundations, .GET, "Organization", .organizationRead)
        case .readOrganization:
            Spec(
                "fhir:rest:read:organization-1", .foundations, .GET, "Organization/{id}", .organizationRead,
                notFound: .organisationNotFound)
        case .readLocation: Spec("fhir:rest:read:location-1", .foundations, .GET, "Location/{id}", .organizationRead)
        case .searchFreeSlots: Spec("fhir:rest:search:slot-1", .foundations, .GET, "Slot", .organizationRead)
        case .bookAppointment: Spec("fhir:rest:create:appointment-1", .foundations, .POST, "Appointment", .patientWrite, .write)
        case .readAppointment: Spec("fhir:rest:read:appointment-1", .foundations, .GET, "Appointment/{id}", .patientRead)
        case .searchPatientAppointments:
            Spec(
                "fhir:rest:search:patient_appointments-1", .foundations, .GET, "Patient/{id}/Appointment", .patientRead,
                notFound: .patientNotFound)
        case .amendAppointment: Spec("fhir:rest:update:appointment-1", .foundations, .PUT, "Appointment/{id}", .patientWrite, .write)
        case .cancelAppointment: Spec("fhir:rest:cancel:appointment-1", .foundations, .PUT, "Appointment/{id}", .patientWrite, .write)
        case .readStructuredMetadata: Spec("structured:fhir:rest:read:metadata-1", .structured, .GET, "metadata", .organizationRead)
        case .getStructuredRecord:
            Spec("fhir:operation:gpc.getstructuredrecord-1", .structured, .POST, "Patient/$gpc.getstructuredrecord", .patientRead)
        case .migrateStructuredRecord:
            Spec(
                "fhir:operation:gpc.migratestructuredrecord-1", .structured, .POST, "Patient/$gpc.migratestructuredrecord",
                .patientRead)
        case .readDocumentsMetadata: Spec("documents:fhir:rest:read:metadata-1", .documents, .GET, "metadata", .organizationRead)
        case .searchDocumentsPatient: Spec("documents:fhir:rest:search:patient-1", .documents, .GET, "Patient", .patientRead)
        case .searchDocuments:
            Spec(
                "documents:fhir:rest:search:documentreference-1", .documents, .GET, "Patient/{id}/DocumentReference", .patientRead,
                notFound: .patientNotFound)
        case .readBinary: Spec("documents:fhir:rest:read:binary-1", .documents, .GET, "Binary/{id}", .patientRead)
        // GP Connect 1.6.2, access_documents_development_migrate_patient_documents.
        case .migrateBinary: Spec("documents:fhir:rest:migrate:binary-1", .documents, .GET, "Binary/{id}", .patientRead)
        // Tasks between federated practices: this project's extension (docs/tasks.md).
        case .createTask: Spec("fhir:rest:create:task-1", .foundations, .POST, "Task", .patientWrite, .write, extension: true)
        case .readTask: Spec("fhir:rest:read:task-1", .foundations, .GET, "Task/{id}", .patientRead, extension: true)
        case .searchTasks: Spec("fhir:rest:search:task-1", .foundations, .GET, "Task", .patientRead, extension: true)
        case .cancelTask: Spec("fhir:rest:cancel:task-1", .foundations, .PUT, "Task/{id}", .patientWrite, .write, extension: true)
        // 0.7.4 ids carry no `-1` suffix (GP Connect 0.7.4, accessrecord_use_case_retrieve_a_care_record_section;
        // foundations_use_case_get_the_fhir_conformance_profile).
        case .readCareRecordMetadata: Spec("fhir:rest:read:metadata", .careRecord, .GET, "metadata", .organizationRead)
        case .getCareRecord:
            Spec(
                "fhir:operation:gpc.getcarerecord", .careRecord, .POST, "Patient/$gpc.getcarerecord", .patientRead,
                notFound: .patientNotFound)
        }
    }

    static let idPrefix = "urn:nhs:names:services:gpconnect:"

    /// The namespace of this project's own interactions. `urn:nhs:names:…` is NHS England's to
    /// assign, so an interaction it never published is not named there: `x-gpconnect-federation`
    /// is an unregistered, private namespace identifier (the `X-` form RFC 3406 kept for
    /// experimental use), followed by exactly the GP Connect shape, so that
    /// `urn:x-gpconnect-federation:names:services:gpconnect:fhir:rest:create:task-1` reads like
    /// `urn:nhs:names:services:gpconnect:fhir:rest:create:appointment-1` and cannot collide with it.
    public static let extensionPrefix = "urn:x-gpconnect-federation:names:services:gpconnect:"

    /// The `Ssp-InteractionID`.
    public var id: String { (spec.isExtension ? Self.extensionPrefix : Self.idPrefix) + spec.idSuffix }

    public init?(interactionID: String) {
        guard let match = Self.byID[interactionID] else { return nil }
        self = match
    }

    static let byID: [String: Interaction] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.id, $0) })

    public var capability: Capability { spec.capability }
    public var method: Method { spec.method }
    /// Path relative to the service root; `{id}` marks the logical id.
    public var path: String { spec.path }
    /// The scope the JWT must request.
    public var scope: Scope { spec.scope }
    /// Reads and searches: no side effect, safe to retry.
    public var isQuery: Bool { spec.effect == .read }
    /// The Spine code a read answers when its id is unknown.
    public var notFoundCode: SpineErrorCode { spec.notFoundCode }

    /// The CapabilityStatement read of a capability.
    public static func metadata(of capability: Capability) -> Interaction {
        switch capability {
        case .foundations: .readMetadata
        case .structured: .readStructuredMetadata
        case .documents: .readDocumentsMetadata
        case .careRecord: .readCareRecordMetadata
        }
    }
}
