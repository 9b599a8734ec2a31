import FHIR
import Foundation
import GPConnect
import GPConnectContract
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// The checks a FHIR version puts every request through before a use case sees it. Each step
/// throws its ``GPConnectError`` and records what it learnt in the context's ``Exchange``.
protocol RequestPipeline: Sendable {
    func admit(_ request: Request, context: GPConnectRequestContext, route: [Interaction]) async throws -> GPConnectRequest
}

/// The STU3 pipeline, in order: response format (`_format` › `Accept` › `Content-Type` › JSON)
/// → practice by ODS code → Spine headers (`Ssp-To` is the practice's ASID, `Ssp-InteractionID`
/// matches method and path) → audit JWT → body (size limit, `Content-Type`).
struct STU3Pipeline: RequestPipeline {
    let practices: PracticeCache
    let maximumBodySize: Int
    /// The base of absolute URLs; nil: `http://` and the request's `Host`.
    var publicBaseURL: String? = nil

    func admit(_ request: Request, context: GPConnectRequestContext, route: [Interaction]) async throws -> GPConnectRequest {
        let now = Date()
        let id = context.parameters.get("id")
        let spine = try await admitSpine(request, context: context, route: route, practices: practices)
        let interaction = spine.interaction
        context.exchange.update { $0.patient = Self.patientReference(interaction, id: id) }
        let token = try AuditToken.parse(authorization: request.headers[.authorization], interaction: interaction, now: now)
        let caller = Caller(token: token, consumerASID: request.headers[.sspFrom], traceID: spine.traceID ?? "")
        context.exchange.update { $0.requester = caller.requester }
        let (body, bodyFormat) = try await readBody(request, interaction: interaction, maximumBodySize: maximumBodySize)
        var admitted = GPConnectRequest(
            interaction: interaction, practice: spine.practice, id: id, query: spine.query, body: body, bodyFormat: bodyFormat,
            caller: caller, traceID: spine.traceID ?? "", now: now,
            returnMinimal: request.headers[.prefer]?.contains("return=minimal") ?? false,
            ifMatch: request.headers[.ifMatch].flatMap(Self.version(ofETag:)))
        admitted.baseURL = publicBaseURL ?? Self.baseURL(host: request.head.authority)
        return admitted
    }

    /// `http://{Host}`, the host checked to be a host name or address with an optional port, so
    /// a forged header cannot put anything else into the URLs a response carries.
    static func baseURL(host: String?) -> String {
        guard let host, !host.isEmpty, host.count <= 255,
            host.unicodeScalars.allSatisfy({
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-:[]".unicodeScalars.contains($0))
            })
        else { return "http://localhost" }
        return "http://" + host
    }

    static func patientReference(_ interaction: Interaction, id: String?) -> String? {
        guard let id, interaction.path.hasPrefix("Patient/{id}") else { return nil }
        return "Patient/\(id)"
    }

    /// `W/"3"` → `3`.
    static func version(ofETag value: String) -> String? {
        var text = Substring(value.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return nil }
        return String(text.dropFirst().dropLast())
    }
}

extension RequestPipeline {
    /// The steps every FHIR version takes before its audit token, each recorded in the exchange:
    /// response format (`_format` › `Accept` › `Content-Type` › JSON; 415 otherwise) → practice by
    /// ODS code (404 `ORGANISATION_NOT_FOUND`) → Spine headers (`Ssp-To` is the practice's ASID,
    /// `Ssp-InteractionID` matches method and path).
    func admitSpine(_ request: Request, context: GPConnectRequestContext, route: [Interaction], practices: PracticeCache) async throws
        -> (query: SearchQuery, practice: Practice, interaction: Interaction, traceID: String?)
    {
        let query = SearchQuery(query: request.uri.query)
        let format = try FormatNegotiation.responseFormat(
            formatParameter: query.items.first { $0.name == "_format" }?.value, accept: request.headers[.accept],
            contentType: request.headers[.contentType])
        context.exchange.update { $0.format = format }
        guard let ods = context.parameters.get("ods"), let practice = try await practices.practice(ods: ods) else {
            throw GPConnectError(.organisationNotFound, "No practice with this ODS code is served here", status: 404)
        }
        context.exchange.update { $0.practice = practice.ods }
        let traceID = request.headers[.sspTraceID]
        let headers = SpineHeaders(
            traceID: traceID, from: request.headers[.sspFrom], to: request.headers[.sspTo],
            interactionID: request.headers[.sspInteractionID])
        let interaction = try headers.check(route: route, asid: practice.asid, ods: practice.ods)
        context.exchange.update { $0.interaction = interaction }
        return (query, practice, interaction, traceID)
    }

    /// The body of a request that may carry one (size limit, read deadline, `Content-Encoding`; `Content-Type` when not empty).
    func readBody(_ request: Request, interaction: Interaction, maximumBodySize: Int) async throws -> ([UInt8], FHIRFormat?) {
        guard interaction.method != .GET else { return ([], nil) }
        let collected: ByteBuffer
        do {
            collected = try await request.body.collect(upTo: maximumBodySize)
        } catch is RequestBodyTimeout {
            throw GPConnectError(.badRequest, "The request body was not received in time", status: 408)
        } catch {
            throw GPConnectError(.badRequest, "The request body is larger than \(maximumBodySize) bytes", status: 413)
        }
        let body = try RequestBodyEncoding.decode(
            collected, contentEncoding: request.headers[.contentEncoding], maximumSize: maximumBodySize)
        guard !body.isEmpty else { return (body, nil) }
        return (body, try FormatNegotiation.requestFormat(contentType: request.headers[.contentType]))
    }
}
