/// Where a practice's directory lives: the practices this deployment hosts, and the
/// organisations, practitioners and locations each of them publishes.
///
/// Lookups are scoped by practice ODS code: one deployment hosts many practices and a resource
/// id is only meaningful under the practice in the URL.
public protocol DirectoryStore: Sendable {
    func practice(ods: String) async throws -> Practice?
    func practices() async throws -> [Practice]
    func organization(practice: String, id: String) async throws -> OrganizationRecord?
    func organizations(practice: String, odsCode: String) async throws -> [OrganizationRecord]
    func practitioner(practice: String, id: String) async throws -> PractitionerRecord?
    func practitioners(practice: String, sdsUserID: String) async throws -> [PractitionerRecord]
    func location(practice: String, id: String) async throws -> LocationRecord?
    /// The practitioners, organisations and locations with these ids, read together (one round
    /// trip for a Bundle's directory resources). Unknown ids are left out; order is unspecified.
    func directoryEntries(practice: String, practitionerIDs: [String], organizationIDs: [String], locationIDs: [String])
        async throws -> (practitioners: [PractitionerRecord], organizations: [OrganizationRecord], locations: [LocationRecord])

    func savePractice(_ practice: Practice) async throws
    func saveOrganization(_ organization: OrganizationRecord, practice: String) async throws
    func savePractitioner(_ practitioner: PractitionerRecord, practice: String) async throws
    func saveLocation(_ location: LocationRecord, practice: String) async throws
}

/// The practice's patient index.
public protocol PatientStore: Sendable {
    func patient(practice: String, id: String) async throws -> PatientRecord?
    func patients(practice: String, nhsNumber: NHSNumber) async throws -> [PatientRecord]

    /// Writes a patient only if the stored version is still `expectedVersion` (nil: only if no
    /// patient with that id or NHS number exists at the practice yet).
    ///
    /// This conditional write is what keeps two concurrent registrations of one person from both
    /// succeeding, in one process or several.
    ///
    /// - Throws: ``StoreError/conflict`` when the condition does not hold.
    func savePatient(_ patient: PatientRecord, practice: String, expectedVersion: String?) async throws

    /// The next free logical id for a new patient at the practice.
    func nextPatientID(practice: String) async throws -> String
}

/// The national demographics service (PDS) as registration needs it. The store-backed
/// implementation is seeded from the registration pool; a real PDS client can replace it.
public protocol DemographicsService: Sendable {
    /// The PDS record for an NHS number, or nil when PDS does not know it.
    ///
    /// - Throws: when PDS cannot be reached (registration then answers `INTERNAL_SERVER_ERROR`).
    func lookup(nhsNumber: NHSNumber) async throws -> DemographicsRecord?
}

/// Writes and reads the people a demographics store knows.
public protocol DemographicsStore: DemographicsService {
    func saveDemographics(_ record: DemographicsRecord) async throws
}

/// The append-only, hash-chained audit trail (README §11).
public protocol AuditStore: Sendable {
    /// Appends an event, giving it the next sequence number and chaining its hash to the previous
    /// entry's. Appends from concurrent requests (and processes) are serialised by the store.
    @discardableResult
    func append(_ event: AuditEvent) async throws -> AuditEntry
    /// Entries in sequence order, newest last.
    func entries(after sequence: Int64, limit: Int) async throws -> [AuditEntry]
}

public enum StoreError: Error, Sendable, Equatable {
    /// A conditional write lost: the record changed (or appeared) since it was read.
    case conflict
    /// Stored data could not be read back into its record type.
    case corrupt(String)
}

/// Everything the GP Connect services need from storage, as one value.
public struct Stores: Sendable {
    public var directory: any DirectoryStore
    public var patients: any PatientStore
    public var demographics: any DemographicsService
    public var audit: any AuditStore
    public var diary: any DiaryStore
    public var appointments: any AppointmentStore
    public var clinical: any ClinicalRecordStore

    public init(
        directory: any DirectoryStore, patients: any PatientStore, demographics: any DemographicsService,
        audit: any AuditStore, diary: any DiaryStore, appointments: any AppointmentStore, clinical: any ClinicalRecordStore
    ) {
        self.directory = directory
        self.patients = patients
        self.demographics = demographics
        self.audit = audit
        self.diary = diary
        self.appointments = appointments
        self.clinical = clinical
    }
}
