public import AsyncHTTPClient
public import FHIR
import Foundation
public import GPConnectContract
public import Logging
import NIOCore
import NIOHTTP1

/// A client for any GP Connect provider: one typed async call per interaction.
///
/// It builds the Spine headers and a fresh audit JWT for every request from the configured
/// consumer identity and the interaction's scope, decodes JSON or XML into the same
/// ``FHIRElement`` model, turns an OperationOutcome into ``GPConnectClientError/refused(status:code:diagnostics:)``,
/// and retries reads (never commands) on connection failures and 5xx. Nothing patient-identifying
/// is logged: the interaction, the status and the trace id only.
public struct GPConnectClient: Sendable {
    public var consumer: ConsumerIdentity
    /// The consumer system's ASID (`Ssp-From`).
    public var consumerASID: String
    public var format: FHIRFormat
    public var timeout: Duration
    /// Extra attempts for idempotent reads.
    public var retries: Int
    /// A Spine Secure Proxy to go through: `https://{ssp}/{provider service root}/{FHIR request}`
    /// (GP Connect 1.6.2, integration_spine_secure_proxy). The audit token's audience stays the
    /// provider's service root.
    public var ssp: String?
    let http: HTTPClient
    let logger: Logger

    public init(
        consumer: ConsumerIdentity, consumerASID: String, http: HTTPClient = GPConnectClient.sharedHTTPClient, format: FHIRFormat = .json,
        timeout: Duration = .seconds(10), retries: Int = 2, logger: Logger = Logger(label: "gpconnect.client")
    ) {
        self.consumer = consumer
        self.consumerASID = consumerASID
        self.http = http
        self.format = format
        self.timeout = timeout
        self.retries = retries
        self.logger = logger
    }

    /// An answer: the resource (if any) and the headers a caller may need.
    public struct Response: Sendable {
        public var status: Int
        public var resource: FHIRElement?
        public var etag: String?
        public var location: String?
    }

    /// The HTTP client calls use unless given another: a refused connection fails at once (the
    /// caller's retry policy decides what happens next) instead of being retried until the deadline.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(3)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// A provider URL as it is called through a Spine Secure Proxy: the proxy's base, then the
    /// whole provider URL.
    public static func proxied(_ url: String, through ssp: String) -> String {
        var base = ssp
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/" + url
    }

    // MARK: The one request path

    /// Sends one interaction. `path` is relative to the capability's service root.
    public func send(
        _ interaction: Interaction, to endpoint: ProviderEndpoint, path: String, query: [(String, String)] = [], body: FHIRElement? = nil,
        headers extra: [(String, String)] = [], confidentiality: String? = nil, requestedNHSNumber: String? = nil
    ) async throws(GPConnectClientError) -> Response {
        let root = endpoint.serviceRoot(interaction.capability)
        var url = root + "/" + path
        if !query.isEmpty { url += "?" + ConsumerRequest.query(query) }
        if let ssp { url = Self.proxied(url, through: ssp) }
        var attempt = 0
        while true {
            do {
                return try await once(
                    interaction, endpoint: endpoint, url: url, audience: root, body: body, extra: extra, confidentiality: confidentiality,
                    requestedNHSNumber: requestedNHSNumber)
            } catch {
                let retryable: Bool
                switch error {
                case .unreachable, .timedOut: retryable = true
                case .refused(let status, _, _): retryable = status >= 500 && status != 501
                case .invalidResponse: retryable = false
                }
                guard interaction.isQuery, retryable, attempt < retries else { throw error }
                attempt += 1
                try? await Task.sleep(for: .milliseconds(100 * (1 << attempt)))
            }
        }
    }

    func once(
        _ interaction: Interaction, endpoint: ProviderEndpoint, url: String, audience: String, body: FHIRElement?,
        extra: [(String, String)],
        confidentiality: String? = nil, requestedNHSNumber: String? = nil
    ) async throws(GPConnectClientError) -> Response {
        let traceID = UUID().uuidString.lowercased()
        var request = spineRequest(
            interaction, endpoint: endpoint, url: url, audience: audience, confidentiality: confidentiality, traceID: traceID,
            requestedNHSNumber: requestedNHSNumber)
        let mediaType =
            interaction.capability.fhirVersion == .dstu2
            ? (format == .json ? "application/json+fhir" : "application/xml+fhir") : format.contentType
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: mediaType)
            request.body = .bytes(ByteBuffer(bytes: format.encode(body)))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await http.execute(
                request,
                timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            logger.debug("timed out", metadata: ["trace": .string(traceID), "interaction": .string(interaction.rawValue)])
            throw .timedOut
        } catch {
            logger.debug("unreachable", metadata: ["trace": .string(traceID), "interaction": .string(interaction.rawValue)])
            throw .unreachable(String(describing: type(of: error)))
        }
        let status = Int(response.status.code)
        logger.debug(
            "answered",
            metadata: ["trace": .string(traceID), "interaction": .string(interaction.rawValue), "status": .stringConvertible(status)])
        var resource: FHIRElement?
        if bytes.readableBytes > 0 {
            let contentType = response.headers.first(name: "Content-Type") ?? ""
            let bodyFormat: FHIRFormat = contentType.contains("xml") ? .xml : .json
            do {
                resource = try bodyFormat.decode(Array(bytes.readableBytesView))
            } catch {
                if status >= 400 { throw .refused(status: status, code: nil, diagnostics: nil) }
                throw .invalidResponse("the body is not FHIR \(bodyFormat.rawValue)")
            }
        }
        guard (200..<300).contains(status) else {
            let issue = resource?["issue"]?.items.first
            throw .refused(
                status: status, code: issue?["details"]?["coding"]?.items.first?["code"]?.string,
                diagnostics: issue?["diagnostics"]?.string)
        }
        return Response(
            status: status, resource: resource, etag: response.headers.first(name: "ETag"),
            location: response.headers.first(name: "Location"))
    }

    /// A request with the Spine headers, a fresh audit JWT and the `Accept` of this client's format.
    func spineRequest(
        _ interaction: Interaction, endpoint: ProviderEndpoint, url: String, audience: String, confidentiality: String?, traceID: String,
        requestedNHSNumber: String? = nil
    ) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: interaction.method.rawValue)
        let token = AuditToken(for: interaction, consumer: consumer, audience: audience, confidentiality: confidentiality)
        let dstu2 = interaction.capability.fhirVersion == .dstu2
        for (name, value) in ConsumerRequest.spineHeaders(
            interaction, traceID: traceID, fromASID: consumerASID, toASID: endpoint.asid, token: token)
        {
            if dstu2, name == HeaderName.authorization {
                // 0.7.x: its own JWT (fixed aud, requested_record naming the patient or the practice).
                let token = DSTU2AuditToken(
                    for: interaction, consumer: consumer, nhsNumber: requestedNHSNumber, organizationODS: endpoint.ods)
                request.headers.add(name: name, value: "Bearer " + token.encode())
            } else {
                request.headers.add(name: name, value: value)
            }
        }
        let accept =
            dstu2
            ? (format == .json ? "application/json+fhir" : "application/xml+fhir")
            : (format == .json ? "application/fhir+json" : "application/fhir+xml")
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "Accept-Encoding", value: "identity")
        return request
    }

    /// The resource of a response that must have one.
    static func resource(_ response: Response, _ type: String) throws(GPConnectClientError) -> FHIRElement {
        guard let resource = response.resource, resource["resourceType"]?.string == type else {
            throw .invalidResponse("expected a \(type)")
        }
        return resource
    }

    /// The entries of a searchset Bundle of one type.
    static func entries(_ response: Response, _ type: String? = nil) throws(GPConnectClientError) -> [FHIRElement] {
        let bundle = try resource(response, "Bundle")
        let resources = (bundle["entry"]?.items ?? []).compactMap { $0["resource"] }
        guard let type else { return resources }
        return resources.filter { $0["resourceType"]?.string == type }
    }
}
