import FHIR
import Foundation
import GPConnect
import GPConnectContract
import HTTPTypes
import Hummingbird

/// The 0.7.4 pipeline of the DSTU2 service root, in the STU3 order with the 0.7.x rules: response
/// format (`_format` › `Accept` › `Content-Type`, the DSTU2 MIME types among the accepted) →
/// practice by ODS code → Spine headers → the 0.7.x audit JWT (``DSTU2AuditToken``: fixed `aud`,
/// `requested_record`, DSTU2 resource shapes) → body (size limit, `Content-Type`), and the JWT's
/// `requested_record` must name the patient of the body (pack: JWT.feature, branch feature/0.7.4,
/// "JWT requested record patient does not match getCareRecord Payload patient" → 400).
struct DSTU2Pipeline: RequestPipeline {
    let practices: PracticeCache
    let maximumBodySize: Int

    func admit(_ request: Request, context: GPConnectRequestContext, route: [Interaction]) async throws -> GPConnectRequest {
        let now = Date()
        let spine = try await admitSpine(request, context: context, route: route, practices: practices)
        let token = try DSTU2AuditToken.parse(authorization: request.headers[.authorization], interaction: spine.interaction, now: now)
        let caller = Caller(
            channel: .fhir(consumerASID: request.headers[.sspFrom]), requester: token.requester, traceID: spine.traceID ?? "")
        context.exchange.update { $0.requester = caller.requester }
        let (body, bodyFormat) = try await readBody(request, interaction: spine.interaction, maximumBodySize: maximumBodySize)
        if let bodyFormat { try Self.checkRequestedRecord(token, body: body, format: bodyFormat) }
        return GPConnectRequest(
            interaction: spine.interaction, practice: spine.practice, id: nil, query: spine.query, body: body, bodyFormat: bodyFormat,
            caller: caller, traceID: spine.traceID ?? "", now: now)
    }

    /// A readable body naming a patient must name the one the token's `requested_record` names.
    static func checkRequestedRecord(_ token: DSTU2AuditToken, body: [UInt8], format: FHIRFormat) throws(GPConnectError) {
        guard let resource = try? format.decode(body) else { return }
        let asked = (resource["parameter"]?.items ?? []).first { $0["name"]?.string == "patientNHSNumber" }?["valueIdentifier"]?["value"]?
            .string
        guard let asked, !asked.isEmpty else { return }
        guard token.requestedNHSNumber == asked else {
            throw .badRequest("JWT requested_record does not name the patient of the request")
        }
    }
}
