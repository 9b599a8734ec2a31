import FHIR
import Foundation
import GPConnect
import GPConnectContract
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// Mounts every interaction of ``Interaction`` under `/{ODS}/STU3/1/{routing segment}` and runs
/// the shared pipeline: format negotiation, practice, Spine headers, audit JWT, body, handler,
/// rendering, audit trail.
struct FHIRRoutes {
    let service: GPConnectService
    let configuration: ServerConfiguration
    let logger: Logger
    let practices: PracticeCache

    init(service: GPConnectService, configuration: ServerConfiguration, logger: Logger) {
        self.service = service
        self.configuration = configuration
        self.logger = logger
        self.practices = PracticeCache(directory: service.stores.directory, allowed: configuration.practices)
    }

    static let allMethods: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch, .options, .head]

    func register(on router: Router<BasicRequestContext>) {
        var routes: [String: [Interaction]] = [:]
        var order: [String] = []
        for interaction in Interaction.allCases {
            let path = "/{ods}/STU3/1/\(interaction.capability.routingSegment)/\(interaction.path)"
            if routes[path] == nil { order.append(path) }
            routes[path, default: []].append(interaction)
        }
        for path in order {
            let interactions = routes[path] ?? []
            let methods = Set(interactions.map(\.method.rawValue))
            for method in Self.allMethods {
                if methods.contains(method.rawValue) {
                    let served = interactions.filter { $0.method.rawValue == method.rawValue }
                    router.on(RouterPath(path), method: method) { request, context in
                        await respond(to: request, context: context, route: served)
                    }
                } else if method == .get,
                    let read = Interaction.allCases.first(where: { candidate in
                        candidate.method == .GET && candidate.capability == interactions[0].capability
                            && candidate.path == interactions[0].path + "/{id}"
                    })
                {
                    // `GET Appointment/` (no id) reads nothing: 404, as for an unknown id.
                    router.on(RouterPath(path), method: method) { _, _ -> Response in
                        throw GPConnectError(read.notFoundCode, "No \(read.path.prefix { $0 != "/" }) id was given", status: 404)
                    }
                } else {
                    let allowed = methods.sorted().joined(separator: ", ")
                    router.on(RouterPath(path), method: method) { request, _ -> Response in
                        // The Spine Secure Proxy answers 405 for a method an endpoint does not take.
                        throw GPConnectError(.badRequest, "\(request.method.rawValue) is not allowed here; use \(allowed)", status: 405)
                    }
                }
            }
        }
    }

    func respond(to request: Request, context: BasicRequestContext, route: [Interaction]) async -> Response {
        let now = Date()
        let query = SearchQuery(query: request.uri.query)
        let traceID = request.headers[.sspTraceID]
        var format = FHIRFormat.json
        var interaction: Interaction?
        var practice: Practice?
        var token: AuditToken?
        let id = context.parameters.get("id")
        do {
            format = try FormatNegotiation.responseFormat(
                formatParameter: query.items.first { $0.name == "_format" }?.value, accept: request.headers[.accept],
                contentType: request.headers[.contentType])
            guard let ods = context.parameters.get("ods"), let found = try await practices.practice(ods: ods) else {
                throw GPConnectError(.organisationNotFound, "No practice with this ODS code is served here", status: 404)
            }
            practice = found
            let headers = SpineHeaders(
                traceID: traceID, from: request.headers[.sspFrom], to: request.headers[.sspTo],
                interactionID: request.headers[.sspInteractionID])
            let checked = try headers.check(route: route, asid: found.asid, ods: found.ods)
            interaction = checked
            let parsedToken = try AuditToken.parse(authorization: request.headers[.authorization], interaction: checked, now: now)
            token = parsedToken
            var body: [UInt8] = []
            var bodyFormat: FHIRFormat?
            if checked.method != Interaction.Method.GET {
                do {
                    let buffer = try await request.body.collect(upTo: configuration.maximumBodySize)
                    body = Array(buffer.readableBytesView)
                } catch {
                    throw GPConnectError(.badRequest, "The request body is larger than \(configuration.maximumBodySize) bytes", status: 413)
                }
                if !body.isEmpty { bodyFormat = try FormatNegotiation.requestFormat(contentType: request.headers[.contentType]) }
            }
            let gpRequest = GPConnectRequest(
                interaction: checked, practice: found, id: id, query: query, body: body, bodyFormat: bodyFormat,
                token: parsedToken, traceID: traceID ?? "", now: now,
                returnMinimal: request.headers[.prefer]?.contains("return=minimal") ?? false,
                ifMatch: request.headers[.ifMatch].flatMap(Self.version(ofETag:)))
            let result = try await service.handle(gpRequest)
            try await audit(
                request, traceID: traceID, practice: found, interaction: checked, token: parsedToken, status: result.status, code: nil,
                patient: result.auditPatient ?? patientReference(checked, id: id), resource: result.auditResource)
            logger.debug(
                "served",
                metadata: [
                    "trace": .string(traceID ?? "-"), "interaction": .string(checked.rawValue), "status": .stringConvertible(result.status),
                ])
            let location = result.location.map { "\(checked.capability.serviceRoot(ods: found.ods))/\($0)" }
            return FHIRRenderer.response(
                status: result.status, resource: gpRequest.returnMinimal && !checked.isQuery ? nil : result.resource, format: format,
                request: request, version: result.version, location: location)
        } catch {
            let failure: GPConnectError
            if let error = error as? GPConnectError {
                failure = error
            } else {
                logger.error(
                    "unexpected failure",
                    metadata: ["trace": .string(traceID ?? "-"), "error": .string(String(describing: type(of: error)))])
                failure = GPConnectError(.internalServerError, "Unexpected internal server error")
            }
            logger.info(
                "refused",
                metadata: [
                    "trace": .string(traceID ?? "-"), "interaction": .string(interaction?.rawValue ?? "-"),
                    "status": .stringConvertible(failure.status), "code": .string(failure.code.rawValue),
                ])
            do {
                try await audit(
                    request, traceID: traceID, practice: practice, interaction: interaction, token: token, status: failure.status,
                    code: failure.code.rawValue, patient: interaction.flatMap { patientReference($0, id: id) }, resource: nil)
            } catch {
                logger.error("audit append failed", metadata: ["trace": .string(traceID ?? "-")])
            }
            return FHIRRenderer.error(failure, format: format, request: request)
        }
    }

    func audit(
        _ request: Request, traceID: String?, practice: Practice?, interaction: Interaction?, token: AuditToken?, status: Int,
        code: String?, patient: String?, resource: String?
    ) async throws {
        do {
            try await service.stores.audit.append(
                AuditEvent(
                    traceID: traceID, practice: practice?.ods, interaction: interaction?.id, method: request.method.rawValue,
                    path: request.uri.path, status: status, spineCode: code, consumerASID: request.headers[.sspFrom],
                    requester: token?.requester, patient: patient, resource: resource))
        } catch {
            // No audit, no answer: a request the trail cannot record is not served.
            throw GPConnectError(.internalServerError, "The audit trail could not be written")
        }
    }

    func patientReference(_ interaction: Interaction, id: String?) -> String? {
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

/// Practices by ODS code, read once and kept: they change only through the command line.
final class PracticeCache: Sendable {
    let directory: any DirectoryStore
    let allowed: Set<String>
    let cache = Mutex<[String: Practice]>([:])

    init(directory: any DirectoryStore, allowed: [String]) {
        self.directory = directory
        self.allowed = Set(allowed)
    }

    func practice(ods: String) async throws -> Practice? {
        guard allowed.isEmpty || allowed.contains(ods) else { return nil }
        if let hit = cache.withLock({ $0[ods] }) { return hit }
        guard let found = try await directory.practice(ods: ods) else { return nil }
        cache.withLock { $0[ods] = found }
        return found
    }
}
