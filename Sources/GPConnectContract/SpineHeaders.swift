/// The names of the headers GP Connect requests carry (nhsconnect/gpconnect feature/1.6.2,
/// integration_spine_secure_proxy, "HTTP headers": `Ssp-TraceID`, `Ssp-From`, `Ssp-To`, `Ssp-InteractionID`), with
/// the other request headers the provider reads.
public enum HeaderName {
    public static let traceID = "Ssp-TraceID"
    public static let from = "Ssp-From"
    public static let to = "Ssp-To"
    public static let interactionID = "Ssp-InteractionID"
    public static let authorization = "Authorization"
    public static let prefer = "Prefer"
    public static let ifMatch = "If-Match"
}

/// The Spine headers every GP Connect request carries.
public struct SpineHeaders: Sendable, Equatable {
    public var traceID: String?
    public var from: String?
    public var to: String?
    public var interactionID: String?

    public init(traceID: String?, from: String?, to: String?, interactionID: String?) {
        self.traceID = traceID
        self.from = from
        self.to = to
        self.interactionID = interactionID
    }

    /// Checks presence, that `Ssp-To` is the practice's ASID, and that `Ssp-InteractionID` is
    /// exactly (no trimming) one of the interactions served at the requested method and path.
    ///
    /// - Returns: the interaction the request is for.
    /// - Throws: `400 BAD_REQUEST`.
    public func check(route: [Interaction], asid: String, ods: String) throws(GPConnectError) -> Interaction {
        guard let traceID, !traceID.isEmpty else { throw .badRequest("Ssp-TraceID header is missing") }
        guard let from, !from.isEmpty else { throw .badRequest("Ssp-From header is missing") }
        guard let to, !to.isEmpty else { throw .badRequest("Ssp-To header is missing") }
        guard to == asid else { throw .badRequest("Ssp-To does not match the ASID of practice \(ods)") }
        guard let interactionID, !interactionID.isEmpty else { throw .badRequest("Ssp-InteractionID header is missing") }
        guard let interaction = route.first(where: { $0.id == interactionID }) else {
            throw .badRequest("Ssp-InteractionID does not match the request method and path")
        }
        return interaction
    }
}
