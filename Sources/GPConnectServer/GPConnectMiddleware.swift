import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectTLS
import HTTPTypes
import Hummingbird
import Logging

/// The one place that turns errors into answers and the one place that audits.
///
/// Whatever a route throws — a ``GPConnectError`` from any pipeline step or use case, no route at
/// the path, a framework error, anything unexpected — becomes an OperationOutcome of the route's
/// FHIR version with its Spine code. Every GP Connect exchange, served or refused, is appended to
/// the audit trail before the answer leaves: if the trail cannot be written, the answer is `500`,
/// never an unaudited success. Every response carries `Cache-Control: no-store`, and over TLS
/// `Strict-Transport-Security`; over TLS the audit entry names the client certificate's subject.
struct GPConnectMiddleware: RouterMiddleware {
    typealias Context = GPConnectRequestContext

    let audit: any AuditStore
    let logger: Logger
    /// The server speaks TLS with client certificates.
    var tls = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        var failure: GPConnectError?
        do {
            response = try await next(request, context)
        } catch {
            let refusal = refusal(for: error, request: request, context: context)
            failure = refusal
            response = render(refusal, request: request, context: context)
        }
        let facts = context.exchange.facts
        let traceID = request.headers[.sspTraceID]
        if facts.routed || failure != nil {
            let clientCertificate = tls ? await peerCertificateSubject(of: context.channel) : nil
            do {
                try await audit.append(
                    AuditEvent(
                        traceID: traceID, practice: facts.practice, interaction: facts.interaction?.id, method: request.method.rawValue,
                        path: request.uri.path, status: failure?.status ?? Int(response.status.code), spineCode: failure?.code.rawValue,
                        consumerASID: request.headers[.sspFrom], requester: facts.requester, patient: facts.patient,
                        resource: failure == nil ? facts.resource : nil, clientCertificate: clientCertificate))
            } catch {
                logger.error("audit append failed", metadata: ["trace": .string(traceID ?? "-")])
                if failure == nil {
                    // No audit, no answer: a request the trail cannot record is not served.
                    let refusal = GPConnectError(.internalServerError, "The audit trail could not be written")
                    failure = refusal
                    response = render(refusal, request: request, context: context)
                }
            }
        }
        if let failure {
            logger.info(
                "refused",
                metadata: [
                    "trace": .string(traceID ?? "-"), "interaction": .string(facts.interaction?.rawValue ?? "-"),
                    "status": .stringConvertible(failure.status), "code": .string(failure.code.rawValue),
                ])
        } else if facts.routed {
            logger.debug(
                "served",
                metadata: [
                    "trace": .string(traceID ?? "-"), "interaction": .string(facts.interaction?.rawValue ?? "-"),
                    "status": .stringConvertible(response.status.code),
                ])
        }
        if let failure { context.exchange.update { $0.spineCode = failure.code.rawValue } }
        response.headers[.cacheControl] = "no-store"
        if tls { response.headers[.strictTransportSecurity] = TLSServerOptions.strictTransportSecurity }
        return response
    }

    func refusal(for error: any Error, request: Request, context: Context) -> GPConnectError {
        switch error {
        case let error as GPConnectError:
            return error
        case let error as HTTPError where error.status == .notFound:
            return GPConnectError(.noRecordFound, "No GP Connect interaction is served at this path", status: 404)
        case let error as HTTPError where error.status.code < 500:
            return GPConnectError(.badRequest, "The request could not be processed", status: error.status.code)
        default:
            logger.error(
                "unexpected failure",
                metadata: [
                    "trace": .string(request.headers[.sspTraceID] ?? "-"), "error": .string(String(describing: type(of: error))),
                ])
            return GPConnectError(.internalServerError, "Unexpected internal server error")
        }
    }

    /// The OperationOutcome in the negotiated format, or the best the request allows when
    /// negotiation itself failed.
    func render(_ failure: GPConnectError, request: Request, context: Context) -> Response {
        let facts = context.exchange.facts
        // A refusal before any route (an unknown path, a method not allowed) speaks the version of the root it was sent to
        // (pack, branch feature/0.7.4: Http.feature, "Http GET from invalid endpoint" expects the DSTU2 OperationOutcome).
        let rootVersion: FHIRVersion = request.uri.path.contains("/" + FHIRVersion.dstu2.pathSegment + "/") ? .dstu2 : .stu3
        let renderer = FHIRRenderer(version: facts.fhirVersion ?? rootVersion)
        return renderer.error(failure, format: facts.format ?? FHIRRenderer.bestEffortFormat(request), request: request)
    }
}

extension HTTPField.Name {
    static let sspTraceID = HTTPField.Name(HeaderName.traceID)!
    static let sspFrom = HTTPField.Name(HeaderName.from)!
    static let sspTo = HTTPField.Name(HeaderName.to)!
    static let sspInteractionID = HTTPField.Name(HeaderName.interactionID)!
    static let prefer = HTTPField.Name(HeaderName.prefer)!
    static let ifMatch = HTTPField.Name(HeaderName.ifMatch)!
    static let strictTransportSecurity = HTTPField.Name("Strict-Transport-Security")!
}
