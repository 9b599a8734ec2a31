public import GPConnectContract

/// A GP Connect provider as the Spine Directory Service would describe it: the practice's ODS
/// code, where its service roots are, and its ASID (the `Ssp-To` it expects).
public struct ProviderEndpoint: Sendable, Codable, Equatable {
    public var ods: String
    public var name: String?
    /// Scheme, host and port, e.g. `https://provider.example` — the service roots follow the spec's
    /// `/{ODS}/STU3/1/{routing segment}` unless given explicitly.
    public var baseURL: String
    public var asid: String
    /// Explicit service roots per capability, for providers that publish other paths.
    public var serviceRoots: [String: String]?

    public init(ods: String, name: String? = nil, baseURL: String, asid: String, serviceRoots: [String: String]? = nil) {
        self.ods = ods
        self.name = name
        self.baseURL = baseURL
        self.asid = asid
        self.serviceRoots = serviceRoots
    }

    /// The absolute service root for a capability, without a trailing slash.
    public func serviceRoot(_ capability: Capability) -> String {
        if let explicit = serviceRoots?[capability.rawValue] { return explicit }
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + capability.serviceRoot(ods: ods)
    }
}
