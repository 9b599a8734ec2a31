import FHIR
import GPConnect
import GPConnectContract
import HTTPTypes
import NIOCore

/// An answer written by the connection layer itself, before (or instead of) any route: the
/// OperationOutcome of a refusal in JSON, with `Connection: close` and `Cache-Control: no-store`.
/// Used for what Hummingbird's router never sees (a timeout, an oversized or malformed request
/// head, a connection over the cap).
struct ConnectionRefusal: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: ByteBuffer

    /// - Parameter path: the request's path when known; a DSTU2 root gets the DSTU2 OperationOutcome.
    init(_ error: GPConnectError, path: String? = nil) {
        let version: FHIRVersion = path?.contains("/" + FHIRVersion.dstu2.pathSegment + "/") == true ? .dstu2 : .stu3
        let renderer = FHIRRenderer(version: version).renderer
        let bytes = FHIRFormat.json.encode(renderer.operationOutcome(error))
        var headers = HTTPFields()
        headers[.contentType] = renderer.contentType(.json)
        headers[.contentLength] = String(bytes.count)
        headers[.connection] = "close"
        headers[.cacheControl] = "no-store"
        for (name, value) in error.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        self.status = HTTPResponse.Status(code: error.status)
        self.headers = headers
        self.body = ByteBuffer(bytes: bytes)
    }

    /// The whole answer as HTTP/1.1 bytes, for a handler that sits below the HTTP codec.
    var http1Bytes: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n")
        for field in headers { buffer.writeString("\(field.name.rawName): \(field.value)\r\n") }
        buffer.writeString("\r\n")
        var body = body
        buffer.writeBuffer(&body)
        return buffer
    }

    static let headerTimeout = Self(GPConnectError(.badRequest, "The request headers were not received in time", status: 408))
    static let bodyTimeout = Self(GPConnectError(.badRequest, "The request body was not received in time", status: 408))
    static let headerTooLarge = Self(GPConnectError(.badRequest, "The request line and headers are too large", status: 431))
    static let malformed = Self(GPConnectError(.badRequest, "The request is not well-formed HTTP/1.1", status: 400))
    static let tooManyConnections = Self(
        GPConnectError(.internalServerError, "The server has too many open connections", status: 503, headers: ["Retry-After": "1"]))

    static func uriTooLong(path: String) -> Self {
        Self(GPConnectError(.badRequest, "The request URL is too long", status: 414), path: path)
    }
}
