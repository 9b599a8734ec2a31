import FHIR
import Foundation
import GPConnect
import GPConnectContract
import HTTPTypes
import Hummingbird
import Logging

/// Mounts the interactions of one FHIR version under `/{ODS}/{version}/{routing segment}`, each
/// at its method and path from the ``Interaction`` table, behind that version's
/// ``RequestPipeline``; every other method on those paths answers 405.
///
/// A handler is thin: the pipeline admits the request, ``GPConnectService`` executes it, the
/// version's renderer writes the answer. Refusals are thrown; ``GPConnectMiddleware`` renders and
/// audits them.
struct FHIRRoutes<Pipeline: RequestPipeline> {
    let version: FHIRVersion
    let pipeline: Pipeline
    let service: GPConnectService

    static var allMethods: [HTTPRequest.Method] { [.get, .post, .put, .delete, .patch, .options, .head] }

    func register(on router: Router<GPConnectRequestContext>) {
        var routes: [String: [Interaction]] = [:]
        var order: [String] = []
        for interaction in Interaction.allCases where interaction.capability.fhirVersion == version {
            let path = "/{ods}/\(interaction.capability.rootPath)/\(interaction.path)"
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
                        try await respond(to: request, context: context, route: served)
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

    func respond(to request: Request, context: GPConnectRequestContext, route: [Interaction]) async throws -> Response {
        context.exchange.update {
            $0.routed = true
            $0.fhirVersion = version
        }
        let admitted = try await pipeline.admit(request, context: context, route: route)
        let result = try await service.handle(admitted)
        let interaction = admitted.interaction
        context.exchange.update {
            if let patient = result.auditPatient { $0.patient = patient }
            $0.resource = result.auditResource
        }
        if let binary = result.binary {
            return try await FHIRRenderer(version: version).binary(binary, format: context.exchange.facts.format ?? .json)
        }
        let location = result.location.map { "\(interaction.capability.serviceRoot(ods: admitted.practice.ods))/\($0)" }
        return FHIRRenderer(version: version).response(
            status: result.status, resource: admitted.returnMinimal && !interaction.isQuery ? nil : result.resource,
            format: context.exchange.facts.format ?? .json, request: request, version: result.version, location: location)
    }
}
