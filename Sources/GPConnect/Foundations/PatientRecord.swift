public import GPConnectContract

/// A patient as a practice holds them: demographics, registration and the flags that decide what
/// GP Connect may show, enough for the patient conditions of the conformance pack (pack: Data/Test Suite
/// Prerequisites.xlsx, "Patients" sheet).
public struct PatientRecord: Sendable, Codable, Equatable {
    public enum RegistrationStatus: String, Sendable, Codable {
        case active
        /// Left the practice (registration status `N`): hidden from GP Connect.
        case inactive
    }

    /// Registration types of `CareConnect-RegistrationType-1`.
    public enum RegistrationType: String, Sendable, Codable {
        /// Regular / GMS.
        case regular = "R"
        case temporary = "T"
        case emergency = "E"
        case immediatelyNecessary = "IN"
        case privatePatient = "P"
        case other = "O"

        public var display: String {
            switch self {
            case .regular: "Regular"
            case .temporary: "Temporary"
            case .emergency: "Emergency"
            case .immediatelyNecessary: "Immediately necessary"
            case .privatePatient: "Private"
            case .other: "Other"
            }
        }
    }

    public var id: String
    public var nhsNumber: NHSNumber
    /// NHS number verification status code (`01` = present and verified). Nil: never traced.
    public var nhsNumberVerification: String?
    public var name: PersonName
    public var otherNames: [PersonName]
    public var gender: String
    public var birthDate: String
    /// Date and time of death, if deceased.
    public var deceased: String?
    public var addresses: [Address]
    public var telecom: [ContactPoint]
    public var contacts: [PatientContact]
    public var languages: [PatientLanguage]
    public var registrationStatus: RegistrationStatus
    public var registrationType: RegistrationType
    public var registrationStart: String?
    public var registrationEnd: String?
    public var preferredBranchSurgeryID: String?
    public var generalPractitionerID: String?
    /// Logical id of the managing Organization (normally the practice).
    public var managingOrganizationID: String?
    /// PDS sensitive (S-flag): never shown through GP Connect.
    public var sensitive: Bool
    /// The patient has dissented from record sharing (Structured, Documents; not Foundations).
    public var dissent: Bool
    public var version: String

    public init(
        id: String, nhsNumber: NHSNumber, nhsNumberVerification: String? = "01", name: PersonName,
        otherNames: [PersonName] = [], gender: String, birthDate: String, deceased: String? = nil,
        addresses: [Address] = [], telecom: [ContactPoint] = [], contacts: [PatientContact] = [],
        languages: [PatientLanguage] = [], registrationStatus: RegistrationStatus = .active,
        registrationType: RegistrationType = .regular, registrationStart: String? = nil, registrationEnd: String? = nil,
        preferredBranchSurgeryID: String? = nil, generalPractitionerID: String? = nil, managingOrganizationID: String? = nil,
        sensitive: Bool = false, dissent: Bool = false, version: String
    ) {
        self.id = id
        self.nhsNumber = nhsNumber
        self.nhsNumberVerification = nhsNumberVerification
        self.name = name
        self.otherNames = otherNames
        self.gender = gender
        self.birthDate = birthDate
        self.deceased = deceased
        self.addresses = addresses
        self.telecom = telecom
        self.contacts = contacts
        self.languages = languages
        self.registrationStatus = registrationStatus
        self.registrationType = registrationType
        self.registrationStart = registrationStart
        self.registrationEnd = registrationEnd
        self.preferredBranchSurgeryID = preferredBranchSurgeryID
        self.generalPractitionerID = generalPractitionerID
        self.managingOrganizationID = managingOrganizationID
        self.sensitive = sensitive
        self.dissent = dissent
        self.version = version
    }

    /// Visible to Foundations find/read: registered, alive, verified and not sensitive.
    public var isVisible: Bool {
        registrationStatus == .active && deceased == nil && !sensitive && nhsNumberVerification == "01"
    }
}

/// A patient's contact person (relationship as text only; GP Connect 1.6.2, development_fhir_resource_guidance,
/// "Patient.contact").
public struct PatientContact: Sendable, Codable, Equatable {
    public var relationship: [String]
    public var name: PersonName?
    public var telecom: [ContactPoint]
    public var address: Address?
    public var gender: String?

    public init(
        relationship: [String], name: PersonName? = nil, telecom: [ContactPoint] = [], address: Address? = nil, gender: String? = nil
    ) {
        self.relationship = relationship
        self.name = name
        self.telecom = telecom
        self.address = address
        self.gender = gender
    }
}

/// A language a patient uses (NHSCommunication extension).
public struct PatientLanguage: Sendable, Codable, Equatable {
    public var code: String
    public var display: String?
    public var preferred: Bool?
    public var interpreterRequired: Bool?

    public init(code: String, display: String? = nil, preferred: Bool? = nil, interpreterRequired: Bool? = nil) {
        self.code = code
        self.display = display
        self.preferred = preferred
        self.interpreterRequired = interpreterRequired
    }
}

/// A person as the national demographics service (PDS) holds them: what registration checks.
public struct DemographicsRecord: Sendable, Codable, Equatable {
    public var nhsNumber: NHSNumber
    public var name: PersonName
    public var gender: String
    public var birthDate: String
    public var deceased: String?
    public var sensitive: Bool
    /// Invalid or superseded NHS number on PDS.
    public var superseded: Bool
    public var addresses: [Address]

    public init(
        nhsNumber: NHSNumber, name: PersonName, gender: String, birthDate: String, deceased: String? = nil,
        sensitive: Bool = false, superseded: Bool = false, addresses: [Address] = []
    ) {
        self.nhsNumber = nhsNumber
        self.name = name
        self.gender = gender
        self.birthDate = birthDate
        self.deceased = deceased
        self.sensitive = sensitive
        self.superseded = superseded
        self.addresses = addresses
    }
}
