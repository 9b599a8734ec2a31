import FHIR
import Foundation
import GPConnect
import GPConnectContract
import HTTPTypes
import Hummingbird
import Logging

/// The outermost layer: whatever escapes a route (no route at the path, a framework error,
/// anything unexpected) still becomes a GP Connect OperationOutcome with `Cache-Control:
/// no-store`, and is audited.
struct GPConnectMiddleware<Context: RequestContext>: RouterMiddleware {
    let audit: any AuditStore
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let failure: GPConnectError
            switch error {
            case let error as GPConnectError:
                failure = error
            case let error as HTTPError where error.status == .notFound:
                failure = GPConnectError(.noRecordFound, "No GP Connect interaction is served at this path", status: 404)
            case let error as HTTPError where error.status.code < 500:
                failure = GPConnectError(.badRequest, "The request could not be processed", status: error.status.code)
            default:
                failure = GPConnectError(.internalServerError, "Unexpected internal server error")
            }
            let traceID = request.headers[HTTPField.Name.sspTraceID]
            logger.info(
                "refused unrouted request",
                metadata: [
                    "trace": .string(traceID ?? "-"), "status": .stringConvertible(failure.status), "code": .string(failure.code.rawValue),
                ])
            let event = AuditEvent(
                traceID: traceID, practice: nil, interaction: nil, method: request.method.rawValue, path: request.uri.path,
                status: failure.status, spineCode: failure.code.rawValue, consumerASID: request.headers[HTTPField.Name.sspFrom],
                requester: nil, patient: nil)
            do {
                try await audit.append(event)
            } catch {
                logger.error("audit append failed", metadata: ["trace": .string(traceID ?? "-")])
            }
            response = FHIRRenderer.error(failure, format: FHIRRenderer.bestEffortFormat(request), request: request)
        }
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

extension HTTPField.Name {
    static let sspTraceID = HTTPField.Name(HeaderName.traceID)!
    static let sspFrom = HTTPField.Name(HeaderName.from)!
    static let sspTo = HTTPField.Name(HeaderName.to)!
    static let sspInteractionID = HTTPField.Name(HeaderName.interactionID)!
    static let prefer = HTTPField.Name(HeaderName.prefer)!
    static let ifMatch = HTTPField.Name(HeaderName.ifMatch)!
}
