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

    /// A `Binary` streamed from its stored chunks: the resource around an empty `content` is
    /// encoded once and split where the base64 goes, then each chunk is read, encoded and written
    /// in turn, so a download holds one chunk in memory whatever the document's size (GP Connect
    /// 1.6.2, access_documents_development_migrate_patient_documents: files of 100 MB and more).
    /// The first chunk is read before the status is sent, so a store that fails fails cleanly;
    /// the length is known up front, so consumers can show progress. Not gzipped: the bytes are
    /// mostly compressed formats already.
    func binary(_ content: BinaryContent, format: FHIRFormat) async throws -> Response {
        var object: FHIRObject = ["resourceType": "Binary", "id": .string(content.id)]
        object.append("meta", ["versionId": .string(content.version)])
        object.append("contentType", .string(content.contentType))
        object.append("content", .string(Self.contentMarker))
        let encoded = format.encode(.object(object))
        let marker = Array(Self.contentMarker.utf8)
        guard let at = Self.firstIndex(of: marker, in: encoded) else {
            throw GPConnectError(.internalServerError, "The Binary could not be encoded")
        }
        let prefix = ByteBuffer(bytes: encoded[..<at])
        let suffix = ByteBuffer(bytes: encoded[(at + marker.count)...])
        let first = content.chunks > 0 ? try await content.chunk(0) : []
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        headers[.eTag] = "W/\"\(content.version)\""
        headers[.contentType] = renderer.contentType(format)
        let length = prefix.readableBytes + (content.size + 2) / 3 * 4 + suffix.readableBytes
        let body = ResponseBody(contentLength: length) { writer in
            try await writer.write(prefix)
            var written = 0
            for index in 0..<content.chunks {
                let bytes = index == 0 ? first : try await content.chunk(index)
                written += bytes.count
                try await writer.write(ByteBuffer(bytes: Data(bytes).base64EncodedData()))
            }
            guard written == content.size else { throw StoreError.corrupt("document content is shorter than its size") }
            try await writer.write(suffix)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Stands in for the base64 while the resource is encoded: letters and dashes only, which
    /// neither JSON nor XML escapes.
    static let contentMarker = "GPCONNECT-BINARY-CONTENT-MARKER"

    static func firstIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        for index in 0...(bytes.count - needle.count) where bytes[index] == needle[0] {
            if bytes[index..<index + needle.count].elementsEqual(needle) { return index }
        }
        return nil
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
