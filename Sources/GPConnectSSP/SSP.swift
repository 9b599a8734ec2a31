import AsyncHTTPClient
import FHIR
import Foundation
public import GPConnectClient
import GPConnectContract
public import GPConnectTLS
import HTTPTypes
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// What `gpconnect ssp` needs: where to listen, its TLS (server side: consumers' certificates are
/// required and verified; client side: its own certificate towards providers), and the directory.
public struct SSPConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var directory: SSPDirectory
    public var tls: TLSServerOptions
    public var upstream: TLSClientOptions
    /// How long one forwarded exchange (head and whole body) may take.
    public var timeout: Duration
    public var logLevel: Logger.Level

    public init(
        host: String = "127.0.0.1", port: Int = 9443, directory: SSPDirectory, tls: TLSServerOptions, upstream: TLSClientOptions,
        timeout: Duration = .seconds(300), logLevel: Logger.Level = .info
    ) {
        self.host = host
        self.port = port
        self.directory = directory
        self.tls = tls
        self.upstream = upstream
        self.timeout = timeout
        self.logLevel = logLevel
    }
}

/// A Spine Secure Proxy emulator for local and CI integration (GP Connect 1.6.2,
/// integration_spine_secure_proxy): consumers call `https://{ssp}/{provider service root}/{FHIR request}`;
/// the proxy authenticates the consumer by its client certificate, checks the Spine headers
/// against the directory, refuses with the SSP's own OperationOutcomes, and forwards the request
/// over mutual TLS with its own certificate, streaming both bodies.
public func buildSSP(configuration: SSPConfiguration) throws -> some ApplicationProtocol {
    var logger = Logger(label: "gpconnect.ssp")
    logger.logLevel = configuration.logLevel
    let server = try HTTPServerBuilder.tls(.http1(), configuration: configuration.tls.channelConfiguration())
    // Made last: an HTTP client must be shut down, so nothing may throw after it exists.
    let http = try configuration.upstream.makeHTTPClient()
    let responder = SSPResponder(
        directory: configuration.directory, http: http, timeout: configuration.timeout, logger: logger)
    let log = logger
    var app = Application(
        responder: responder,
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            log.notice("Spine Secure Proxy: https://\(configuration.host):\(port)/{provider service root}/{FHIR request}")
        },
        logger: logger)
    app.addServices(HTTPClientService(http: http))
    return app
}

/// The request context of the proxy: the connection, for the consumer's certificate.
public struct SSPRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

struct SSPResponder: HTTPResponder {
    typealias Context = SSPRequestContext

    let directory: SSPDirectory
    let http: HTTPClient
    let timeout: Duration
    let logger: Logger

    static let traceIDField = HTTPField.Name(HeaderName.traceID)
    static let interactionIDField = HTTPField.Name(HeaderName.interactionID)
    static let fromField = HTTPField.Name(HeaderName.from)
    static let toField = HTTPField.Name(HeaderName.to)
    /// The methods GP Connect interactions use; anything else is the SSP's 405.
    static let methods = Set(Interaction.allCases.map(\.method.rawValue))
    static let fhirMediaTypes: Set<String> = [
        "application/fhir+json", "application/fhir+xml", "application/json+fhir", "application/xml+fhir",
    ]
    /// Connection-specific headers (RFC 9110 §7.6.1) are not forwarded; everything else is.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host",
    ]

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let traceID = Self.traceIDField.flatMap { request.headers[$0] } ?? "-"
        let interaction = Self.interactionIDField.flatMap { request.headers[$0] } ?? ""
        let from = Self.fromField.flatMap { request.headers[$0] } ?? ""
        let to = Self.toField.flatMap { request.headers[$0] } ?? ""
        var path = request.head.path ?? ""
        if path.hasPrefix("/") { path.removeFirst() }
        let target = path
        // Diagnostics name the target without its query, which can carry an NHS number.
        let shownTarget = String(target.prefix { $0 != "?" })
        // The log names the trace id, interaction, ASIDs and status only: no URL, no patient data.
        let response: Response
        do throws(SSPOutcome) {
            try await admit(request, context: context, target: target, shown: shownTarget, interaction: interaction, from: from, to: to)
            response = try await forward(request, to: target, shown: shownTarget)
        } catch {
            response = Self.render(error)
        }
        logger.info(
            "exchange",
            metadata: [
                "trace": .string(traceID), "interaction": .string(interaction), "from": .string(from), "to": .string(to),
                "status": .stringConvertible(response.status.code), "elapsed": .stringConvertible(ContinuousClock.now - started),
            ])
        return response
    }

    /// Every check the SSP makes before forwarding, in this order: method, media type, sender,
    /// receiver, sender for receiver, target URL.
    func admit(
        _ request: Request, context: Context, target: String, shown: String, interaction: String, from: String, to: String
    ) async throws(SSPOutcome) {
        guard Self.methods.contains(request.method.rawValue) else { throw .methodNotAllowed }
        if Self.hasBody(request), let contentType = request.headers[.contentType] {
            let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard Self.fhirMediaTypes.contains(mediaType) else { throw .unsupportedMediaType }
        }
        // The sender: the system the client certificate belongs to, which must be the Ssp-From.
        guard let peer = await peerCertificateNames(of: context.channel),
            let sender = directory.consumer(subject: peer.subject, names: peer.names),
            sender.asid == from, sender.mayCall(interaction)
        else { throw .senderNotAuthorised(from) }
        // The receiver: the Ssp-To's registration, which must accept the interaction.
        guard let practice = directory.practices.first(where: { $0.asid == to }),
            let endpoint = practice.endpoints.first(where: { $0.accepted.contains(interaction) })
        else { throw .receiverNotAuthorised(to) }
        if let receivers = sender.receivers, !receivers.contains(to) { throw .senderNotAuthorisedForReceiver(from, to) }
        // The target: the endpoint registered for that receiver and interaction.
        let root = endpoint.serviceRoot
        guard target == root || target.hasPrefix(root + "/") || target.hasPrefix(root + "?") else {
            throw .targetURLVaries(endpoint: root, cpaID: practice.cpaID ?? "S\(practice.asid)", target: shown)
        }
    }

    static func hasBody(_ request: Request) -> Bool {
        if let length = request.headers[.contentLength].flatMap(Int.init) { return length > 0 }
        return request.method == .post || request.method == .put
    }

    /// Sends the request on with the proxy's certificate and streams the answer back as it comes.
    func forward(_ request: Request, to target: String, shown: String) async throws(SSPOutcome) -> Response {
        var upstream = HTTPClientRequest(url: target)
        upstream.method = .init(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            upstream.headers.add(name: field.name.rawName, value: field.value)
        }
        if Self.hasBody(request) {
            let length = request.headers[.contentLength].flatMap(Int64.init)
            upstream.body = .stream(request.body, length: length.map { .known($0) } ?? .unknown)
        }
        let answer: HTTPClientResponse
        do {
            answer = try await http.execute(
                upstream,
                timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000),
                logger: nil)
        } catch {
            throw .errorCommunicating(shown)
        }
        var headers = HTTPFields()
        for (name, value) in answer.headers where !Self.hopByHop.contains(name.lowercased()) {
            if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
        }
        return Response(status: .init(code: Int(answer.status.code)), headers: headers, body: ResponseBody(asyncSequence: answer.body))
    }

    static func render(_ outcome: SSPOutcome) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/fhir+json;charset=utf-8"
        return Response(
            status: .init(code: outcome.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: FHIRJSON.encode(outcome.resource))))
    }
}

/// Shuts the upstream HTTP client down with the application.
struct HTTPClientService: Service {
    let http: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await http.shutdown()
    }
}
