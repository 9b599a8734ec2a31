import Foundation
import GPConnectContract

/// What the Spine Directory Service would tell the proxy, as a JSON file: the practices (ODS code,
/// ASID, CPA id, and per capability the registered service root and the interaction ids it
/// accepts) and the consumer systems (ASID, certificate name, the interaction ids each may call and
/// optionally the receivers it may call). An interaction list left out means every interaction of
/// the contract (for an endpoint: of its capability).
///
/// ```json
/// {"practices": [{"ods": "B82617", "asid": "918999198738",
///                 "endpoints": [{"capability": "foundations", "serviceRoot": "https://localhost:8443/B82617/STU3/1/gpconnect"}]}],
///  "consumers": [{"asid": "200000000359", "certificate": "consumer.localhost"}]}
/// ```
public struct SSPDirectory: Sendable, Codable, Equatable {
    public var practices: [Practice]
    public var consumers: [Consumer]

    public struct Practice: Sendable, Codable, Equatable {
        public var ods: String
        public var asid: String
        /// The collaboration agreement id the SSP names in its "target URL varies" refusal.
        public var cpaID: String?
        public var endpoints: [Endpoint]

        public init(ods: String, asid: String, cpaID: String? = nil, endpoints: [Endpoint]) {
            self.ods = ods
            self.asid = asid
            self.cpaID = cpaID
            self.endpoints = endpoints
        }
    }

    public struct Endpoint: Sendable, Codable, Equatable {
        public var capability: String?
        /// The absolute service root, without a trailing slash.
        public var serviceRoot: String
        public var interactions: [String]?

        public init(capability: String? = nil, serviceRoot: String, interactions: [String]? = nil) {
            self.capability = capability
            self.serviceRoot = serviceRoot
            self.interactions = interactions
        }

        /// The interaction ids the endpoint accepts.
        public var accepted: Set<String> {
            if let interactions { return Set(interactions) }
            return Set(Interaction.allCases.filter { $0.capability.rawValue == capability }.map(\.id))
        }
    }

    public struct Consumer: Sendable, Codable, Equatable {
        public var name: String?
        public var asid: String
        /// The client certificate's subject common name or DNS name, or its whole RFC 4514 subject.
        public var certificate: String
        public var interactions: [String]?
        /// ASIDs of the receivers it may call; every receiver when left out.
        public var receivers: [String]?

        public init(name: String? = nil, asid: String, certificate: String, interactions: [String]? = nil, receivers: [String]? = nil) {
            self.name = name
            self.asid = asid
            self.certificate = certificate
            self.interactions = interactions
            self.receivers = receivers
        }

        public func mayCall(_ interaction: String) -> Bool {
            interactions.map { $0.contains(interaction) } ?? Interaction.allCases.contains { $0.id == interaction }
        }
    }

    public init(practices: [Practice], consumers: [Consumer]) {
        self.practices = practices
        self.consumers = consumers
    }

    public static func load(_ path: String) throws -> SSPDirectory {
        try JSONDecoder().decode(SSPDirectory.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The consumer a verified client certificate belongs to.
    func consumer(subject: String, names: [String]) -> Consumer? {
        consumers.first { consumer in
            consumer.certificate == subject || names.contains(consumer.certificate.lowercased())
        }
    }
}
