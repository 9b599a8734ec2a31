/// Everything the GP Connect services need from storage, as one value.
public struct Stores: Sendable {
    public var directory: any DirectoryStore
    public var patients: any PatientStore
    public var demographics: any DemographicsService
    public var audit: any AuditStore
    public var diary: any DiaryStore
    public var appointments: any AppointmentStore
    public var clinical: any ClinicalRecordStore
    public var documents: any DocumentStore
    public var tasks: any TaskStore
    public var messaging: any MessagingStore

    public init(
        directory: any DirectoryStore, patients: any PatientStore, demographics: any DemographicsService,
        audit: any AuditStore, diary: any DiaryStore, appointments: any AppointmentStore, clinical: any ClinicalRecordStore,
        documents: any DocumentStore, tasks: any TaskStore,
        messaging: any MessagingStore
    ) {
        self.directory = directory
        self.patients = patients
        self.demographics = demographics
        self.audit = audit
        self.diary = diary
        self.appointments = appointments
        self.clinical = clinical
        self.documents = documents
        self.tasks = tasks
        self.messaging = messaging
    }
}
