import GPConnectContract

/// A postal address: no `text`; absent parts omitted (GP Connect 1.6.2, development_fhir_resource_guidance, "Address").
public struct Address: Sendable, Codable, Equatable {
    public var use: String?
    public var type: String?
    public var lines: [String]
    public var city: String?
    public var district: String?
    public var postalCode: String?
    public var country: String?
    /// End of a temporary address (aligned with a temporary registration's expiry).
    public var periodEnd: String?

    public init(
        use: String? = nil, type: String? = nil, lines: [String] = [], city: String? = nil, district: String? = nil,
        postalCode: String? = nil, country: String? = nil, periodEnd: String? = nil
    ) {
        self.use = use
        self.type = type
        self.lines = lines
        self.city = city
        self.district = district
        self.postalCode = postalCode
        self.country = country
        self.periodEnd = periodEnd
    }
}

/// A phone number or email address.
public struct ContactPoint: Sendable, Codable, Equatable {
    public var system: String
    public var value: String
    public var use: String?
    public var periodEnd: String?

    public init(system: String, value: String, use: String? = nil, periodEnd: String? = nil) {
        self.system = system
        self.value = value
        self.use = use
        self.periodEnd = periodEnd
    }
}

/// A person's name.
public struct PersonName: Sendable, Codable, Equatable {
    public var use: String?
    public var family: String?
    public var given: [String]
    public var prefix: [String]
    /// Full name as text, used when no structured family name is known.
    public var text: String?

    public init(use: String? = nil, family: String?, given: [String] = [], prefix: [String] = [], text: String? = nil) {
        self.use = use
        self.family = family
        self.given = given
        self.prefix = prefix
        self.text = text
    }
}

/// A code with its system and display.
public struct Code: Sendable, Codable, Equatable, Hashable {
    public var system: String
    public var code: String
    public var display: String?

    public init(system: String, code: String, display: String? = nil) {
        self.system = system
        self.code = code
        self.display = display
    }
}
