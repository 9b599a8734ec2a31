public import FHIR
public import Foundation
public import GPConnectContract

/// A request that has passed the shared pipeline (practice resolved, Spine headers and audit JWT
/// checked), as the interaction handlers see it. Framework-neutral: the server builds it.
public struct GPConnectRequest: Sendable {
    public var interaction: Interaction
    public var practice: Practice
    /// The logical id from the path (`{id}`), if the interaction has one.
    public var id: String?
    public var query: SearchQuery
    public var body: [UInt8]
    public var bodyFormat: FHIRFormat?
    /// Who asks, as the use cases see it: the pipeline builds it from the audit token and the Spine
    /// headers, and the token goes no further.
    public var caller: Caller
    public var traceID: String
    public var now: Date
    /// `Prefer: return=minimal`.
    public var returnMinimal: Bool
    /// The version in `If-Match: W/"…"`, if sent.
    public var ifMatch: String?
    /// Scheme and host consumers reach this server at (`https://gp.example.nhs.uk`), for absolute URLs.
    public var baseURL: String = "http://localhost"

    public init(
        interaction: Interaction, practice: Practice, id: String?, query: SearchQuery, body: [UInt8],
        bodyFormat: FHIRFormat?, caller: Caller, traceID: String, now: Date, returnMinimal: Bool = false,
        ifMatch: String? = nil
    ) {
        self.interaction = interaction
        self.practice = practice
        self.id = id
        self.query = query
        self.body = body
        self.bodyFormat = bodyFormat
        self.caller = caller
        self.traceID = traceID
        self.now = now
        self.returnMinimal = returnMinimal
        self.ifMatch = ifMatch
    }

    /// The body decoded as a FHIR resource.
    ///
    /// - Throws: `400 BAD_REQUEST` when it is empty or not well-formed JSON/XML.
    public func resource() throws(GPConnectError) -> FHIRElement {
        guard !body.isEmpty else { throw .badRequest("A request body is required") }
        guard let bodyFormat else { throw .badRequest("Content-Type is required with a body") }
        do {
            return try bodyFormat.decode(body)
        } catch {
            throw .badRequest("Request body is not a well-formed FHIR resource: \(error.description)")
        }
    }
}
