import CompressNIO
import FHIR
import Foundation
import GPConnect
import GPConnectContract
import HTTPTypes
import Hummingbird

/// Turns a resource into an HTTP response: content type with charset, `Cache-Control: no-store`,
/// gzip when the request asked for it, and `ETag` / `Location` when given — in the MIME types and
/// OperationOutcome profile of one FHIR version.
struct FHIRRenderer {
    let renderer: any FHIRVersionRenderer

    /// The renderer of each FHIR version the server speaks. A version gets here with its renderer.
    static let renderers: [FHIRVersion: any FHIRVersionRenderer] = [.stu3: STU3Renderer(), .dstu2: DSTU2Renderer()]

    init(version: FHIRVersion) {
        renderer = Self.renderers[version] ?? STU3Renderer()
    }

    func response(
        status: Int, resource: FHIRElement?, format: FHIRFormat, request: Request, version: String? = nil,
        location: String? = nil, extraHeaders: [String: String] = [:]
    ) -> Response {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        if let version { headers[.eTag] = "W/\"\(version)\"" }
        if let location { headers[.location] = location }
        for (name, value) in extraHeaders {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        guard let resource else {
            return Response(status: .init(code: status), headers: headers)
        }
        headers[.contentType] = renderer.contentType(format)
        var buffer = ByteBuffer(bytes: format.encode(resource))
        if Self.acceptsGzip(request), buffer.readableBytes > 0, let compressed = try? buffer.compress(with: .gzip()) {
            buffer = compressed
            headers[.contentEncoding] = "gzip"
        }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: buffer))
    }

    func error(_ error: GPConnectError, format: FHIRFormat, request: Request) -> Response {
        response(
            status: error.status, resource: renderer.operationOutcome(error), format: format, request: request, extraHeaders: error.headers)
    }

    static func acceptsGzip(_ request: Request) -> Bool {
        guard let value = request.headers[.acceptEncoding] else { return false }
        return value.split(separator: ",").contains { part in
            let coding = part.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            let refused = part.replacingOccurrences(of: " ", with: "").lowercased().contains("q=0") && !part.contains("q=0.")
            return coding == "gzip" && !refused
        }
    }

    /// The response format for a request whose pipeline failed before negotiation finished:
    /// whatever it asked for if that is supported, JSON otherwise.
    static func bestEffortFormat(_ request: Request) -> FHIRFormat {
        let query = SearchQuery(query: request.uri.query)
        return
            (try? FormatNegotiation.responseFormat(
                formatParameter: query.items.first { $0.name == "_format" }?.value, accept: request.headers[.accept],
                contentType: request.headers[.contentType])) ?? .json
    }
}
