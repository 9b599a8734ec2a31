import FHIR
import Foundation
import GPConnect
import GPConnectContract
import HTTPTypes
import Testing

/// Building `$gpc.getcarerecord` requests the way the 0.7.4 pack does, and reading their views.
enum HTML {
    static let patient22 = "9690938169"

    /// The 0.7.4 pack's JWT (JwtHelper of branch feature/0.7.4): DSTU2 resources, fixed `aud`,
    /// `requested_record` naming the patient.
    static func token(_ interaction: Interaction, nhsNumber: String?, edit: (inout FHIRObject) -> Void = { _ in }) -> String {
        let token = DSTU2AuditToken(
            for: interaction, consumer: ConsumerIdentity(systemURL: "https://ConsumerSystemURL/", sdsUserID: "GCASDS0001"),
            nhsNumber: nhsNumber, organizationODS: Client.practice, now: Date().addingTimeInterval(-2))
        let parts = token.encode().split(separator: ".", omittingEmptySubsequences: false)
        guard let payload = Data(base64URL: String(parts[1])), var claims = (try? FHIRJSON.decode(Array(payload)))?.object else {
            return token.encode()
        }
        edit(&claims)
        return Client.encodeToken(claims: .object(claims))
    }

    static func body(
        _ nhsNumber: String, _ section: String, start: String? = nil, end: String? = nil, edit: (inout [FHIRElement]) -> Void = { _ in }
    )
        -> String
    {
        var parameters: [FHIRElement] = [
            ["name": "patientNHSNumber", "valueIdentifier": ["system": .string(DSTU2System.nhsNumber), "value": .string(nhsNumber)]],
            [
                "name": "recordSection",
                "valueCodeableConcept": ["coding": [["system": .string(DSTU2System.recordSection), "code": .string(section)]]],
            ],
        ]
        if start != nil || end != nil {
            var period = FHIRObject()
            period.append("start", start.map { .string($0) })
            period.append("end", end.map { .string($0) })
            parameters.append(["name": "timePeriod", "valuePeriod": .object(period)])
        }
        edit(&parameters)
        return FHIRJSON.encodeString(["resourceType": "Parameters", "parameter": .array(parameters)])
    }
}

extension Data {
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}

extension Client {
    /// One `$gpc.getcarerecord` call.
    func careRecord(
        _ nhsNumber: String, _ section: String, start: String? = nil, end: String? = nil, format: FHIRFormat = .json,
        body: String? = nil, token: String? = nil
    ) async throws -> Reply {
        let text = body ?? HTML.body(nhsNumber, section, start: start, end: end)
        return try await request(
            .getCareRecord, Interaction.getCareRecord.path,
            headers: {
                $0[.accept] = format == .json ? "application/json+fhir" : "application/xml+fhir"
                $0[.authorization] = "Bearer " + (token ?? HTML.token(.getCareRecord, nhsNumber: nhsNumber))
            }, body: text, contentType: "application/json+fhir; charset=utf-8")
    }
}

extension Reply {
    /// The view: the Composition's one section's `text.div`.
    var div: String? {
        entries.first { $0["resourceType"]?.string == "Composition" }?["section"]?.items.first?["text"]?["div"]?.string
    }

    /// The ids of the view's tables, in order.
    var tableIDs: [String] {
        (div ?? "").matches(of: /<table id="([^"]+)">/).map { String($0.output.1) }
    }
}
