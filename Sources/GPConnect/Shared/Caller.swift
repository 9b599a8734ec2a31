public import GPConnectContract

/// Who is asking, whatever the channel: the use cases decide with this, never with a JWT or a
/// MESH envelope. The FHIR APIs build it from the audit JWT and the Spine headers; an inbound
/// MESH message builds it from its sender mailbox.
public struct Caller: Sendable, Equatable {
    /// Where the request came from.
    public enum Channel: Sendable, Equatable {
        /// A FHIR API call through Spine; the consumer system's ASID (`Ssp-From`).
        case fhir(consumerASID: String?)
        /// A message from a MESH mailbox.
        case mesh(mailbox: String)
        /// The practice's own staff at the GP system (the command line), by user id.
        case practice(user: String)
    }

    /// What the caller may see (the `conf/N` / `conf/R` scope suffix on the FHIR APIs).
    public enum Confidentiality: Sendable, Equatable {
        /// Confidential and sensitive items are withheld.
        case normal
        /// Confidential and sensitive items may be shared (GP2GP migration).
        case restricted
    }

    public var channel: Channel
    /// The user, organisation and system, as the audit trail and provenance record them.
    public var requester: Requester
    public var confidentiality: Confidentiality
    /// The id that ties this request to the caller's logs (`Ssp-TraceID`, or the MESH message id).
    public var traceID: String

    public init(channel: Channel, requester: Requester, confidentiality: Confidentiality = .normal, traceID: String) {
        self.channel = channel
        self.requester = requester
        self.confidentiality = confidentiality
        self.traceID = traceID
    }

    /// The caller of a FHIR API request.
    public init(token: AuditToken, consumerASID: String?, traceID: String) {
        self.init(
            channel: .fhir(consumerASID: consumerASID), requester: token.requester,
            confidentiality: token.confidentiality == "conf/R" ? .restricted : .normal, traceID: traceID)
    }
}
