import GPConnectContract

/// A practice hosted by this deployment: the ODS code in the URL selects it.
public struct Practice: Sendable, Codable, Equatable {
    public var ods: String
    /// The practice's Spine ASID: `Ssp-To` must equal it.
    public var asid: String
    public var name: String
    /// Logical id of the practice's own Organization resource.
    public var organizationID: String

    public init(ods: String, asid: String, name: String, organizationID: String) {
        self.ods = ods
        self.asid = asid
        self.name = name
        self.organizationID = organizationID
    }
}

/// An organisation known to a practice's directory (the practice itself, and any organisation a
/// Location, Patient or Practitioner refers to).
public struct OrganizationRecord: Sendable, Codable, Equatable {
    public var id: String
    public var ods: String
    public var name: String
    public var addresses: [Address]
    public var telecom: [ContactPoint]
    /// Logical id of a parent Organization.
    public var partOfID: String?
    public var version: String

    public init(
        id: String, ods: String, name: String, addresses: [Address] = [], telecom: [ContactPoint] = [],
        partOfID: String? = nil, version: String
    ) {
        self.id = id
        self.ods = ods
        self.name = name
        self.addresses = addresses
        self.telecom = telecom
        self.partOfID = partOfID
        self.version = version
    }
}

/// A practitioner, identified nationally by an SDS user id.
public struct PractitionerRecord: Sendable, Codable, Equatable {
    public var id: String
    public var sdsUserID: String
    public var roleProfileIDs: [String]
    public var name: PersonName
    public var gender: String?
    /// Language codes (CareConnect-HumanLanguage-1).
    public var languages: [String]
    public var version: String

    public init(
        id: String, sdsUserID: String, roleProfileIDs: [String] = [], name: PersonName, gender: String? = nil,
        languages: [String] = [], version: String
    ) {
        self.id = id
        self.sdsUserID = sdsUserID
        self.roleProfileIDs = roleProfileIDs
        self.name = name
        self.gender = gender
        self.languages = languages
        self.version = version
    }
}

/// A site: the practice's main or branch surgery.
public struct LocationRecord: Sendable, Codable, Equatable {
    public var id: String
    public var siteCode: String?
    public var name: String
    /// `active`, `suspended` or `inactive`.
    public var status: String
    public var type: Code?
    public var physicalType: Code?
    public var address: Address?
    public var telecom: [ContactPoint]
    public var managingOrganizationID: String?
    public var partOfID: String?
    public var version: String

    public init(
        id: String, siteCode: String? = nil, name: String, status: String = "active", type: Code? = nil,
        physicalType: Code? = nil, address: Address? = nil, telecom: [ContactPoint] = [],
        managingOrganizationID: String? = nil, partOfID: String? = nil, version: String
    ) {
        self.id = id
        self.siteCode = siteCode
        self.name = name
        self.status = status
        self.type = type
        self.physicalType = physicalType
        self.address = address
        self.telecom = telecom
        self.managingOrganizationID = managingOrganizationID
        self.partOfID = partOfID
        self.version = version
    }
}
