import Foundation
import GPConnectClient
import GPConnectContract
import HTTPTypes
public import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the hub: opens its own database and mounts its pages. Used by `gpconnect hub`, by
/// `gpconnect serve --hub` and by the tests.
public func buildHubApplication(configuration: HubConfiguration) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "gpconnect.hub")
    logger.logLevel = configuration.logLevel
    let store = try await HubStore.open(path: configuration.databasePath)
    let hub: Hub
    do {
        hub = try await Hub(configuration: configuration, store: store, logger: logger)
    } catch {
        await store.close()
        throw error
    }
    let router = Router(context: HubRequestContext.self)
    router.add(middleware: HubMiddleware(hub: hub))
    hub.register(on: router)
    let log = logger
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: { channel in
            log.notice("Federation hub: http://\(configuration.host):\(channel.localAddress?.port ?? configuration.port)/")
        },
        logger: logger)
    app.addServices(HubStoreService(store: store))
    return app
}

/// Closes the hub's database when the application shuts down.
struct HubStoreService: Service {
    let store: HubStore

    func run() async throws {
        try? await gracefulShutdown()
        await store.close()
    }
}

/// The request context: the signed-in session, if any.
public struct HubRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    var session: HubSession?
    var sessionToken: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The session of a page that needs one (the middleware has already sent everyone else to sign in).
    func signedIn() throws(HubError) -> HubSession {
        guard let session else { throw HubError(.unauthorized, "Your session has ended. Sign in again.") }
        return session
    }
}

/// A refusal with a message for the person at the screen.
public struct HubError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }
}

/// Everything the pages share: the configuration, the store, the templates, the last capacity.
final class Hub: Sendable {
    let configuration: HubConfiguration
    let store: HubStore
    let views: HubViews
    let logger: Logger
    let capacity = CapacityCache()

    init(configuration: HubConfiguration, store: HubStore, logger: Logger) async throws {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.views = try await HubViews.load()
    }

    var directory: HubDirectory { configuration.directory }

    /// A client acting as the signed-in user: their SDS user id and role profile go in the audit JWT.
    func client(for user: HubUser) -> GPConnectClient {
        let consumer = directory.consumer
        let names = user.displayName.split(separator: " ").map(String.init)
        let identity = ConsumerIdentity(
            systemURL: "https://hub.gpconnect.local/", deviceID: "gpconnect-hub", deviceModel: "gpconnect hub",
            organizationODS: consumer.ods, organizationName: consumer.name, userID: user.username, sdsUserID: user.sdsUserID,
            roleProfileID: user.roleProfileID, family: names.last ?? user.username,
            given: names.dropLast().isEmpty ? [] : Array(names.dropLast()),
            prefix: [])
        return GPConnectClient(consumer: identity, consumerASID: consumer.asid, timeout: configuration.deadline, retries: 0)
    }

    /// The practice of a form field, or a clear refusal.
    func practice(_ ods: String?) throws(HubError) -> ProviderEndpoint {
        guard let ods, let practice = directory.practice(ods) else {
            throw HubError(.badRequest, "Choose a practice of the federation.")
        }
        return practice
    }

    func log(_ session: HubSession, _ action: String, ods: String, nhsNumber: String?, outcome: String) async {
        do {
            try await store.logAccess(
                HubAccess(at: Date(), username: session.user.username, action: action, ods: ods, nhsNumber: nhsNumber, outcome: outcome))
        } catch {
            logger.error("the access log could not be written", metadata: ["action": .string(action)])
        }
    }

    func register(on router: Router<HubRequestContext>) {
        router.get("/health") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: "{\"status\":\"ok\"}")))
        }
        router.get("/static/:file") { [views] _, context in try views.asset(context.parameters.get("file") ?? "") }
        router.get("/") { _, _ in Response.redirect(to: "/capacity", type: .found) }
        router.get("/favicon.ico") { _, _ in Response(status: .noContent) }
        registerSignIn(on: router)
        registerCapacity(on: router)
        registerBooking(on: router)
        registerPatients(on: router)
        registerRecord(on: router)
        registerTasks(on: router)
        registerAudit(on: router)
    }
}

/// Signs people in or sends them to sign in, turns every error into a page with a clear message,
/// and marks every answer `no-store` with a strict content security policy.
struct HubMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let hub: Hub

    static let open: Set<String> = ["/signin", "/health", "/favicon.ico"]

    /// Sent with every answer: no sniffing, no referrer, no framing, nothing loaded from elsewhere.
    static let securityHeaders: [(HTTPField.Name, String)] = [
        ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY"),
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
    ].compactMap { name, value in HTTPField.Name(name).map { ($0, value) } }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let path = request.uri.path
        var response: Response
        do {
            if let token = Cookies.value("hub_session", in: request), !token.isEmpty {
                let now = Date()
                context.session = try await hub.store.session(
                    token: token, now: now, extendTo: now.addingTimeInterval(hub.configuration.sessionLifetime))
                if context.session != nil { context.sessionToken = token }
            }
            if context.session == nil, !Self.open.contains(path), !path.hasPrefix("/static/") {
                response =
                    request.method == .get
                    ? Response.redirect(to: "/signin", type: .normal)
                    : hub.views.errorPage(.unauthorized, "Your session has ended. Sign in again.", session: nil)
            } else {
                response = try await next(request, context)
            }
        } catch let error as HubError {
            response = hub.views.errorPage(error.status, error.message, session: context.session)
        } catch let error as any HTTPResponseError {
            let message =
                error.status == .notFound
                ? "There is no such page on the hub." : "The hub could not handle that request (\(error.status.code))."
            response = hub.views.errorPage(error.status, message, session: context.session)
        } catch {
            hub.logger.error("page failed", metadata: ["path": .string(path), "error": .string(String(describing: type(of: error)))])
            response = hub.views.errorPage(
                .internalServerError, "Something went wrong on the hub. Try again; if it keeps happening, tell the hub's administrator.",
                session: context.session)
        }
        response.headers[.cacheControl] = "no-store"
        for (name, value) in Self.securityHeaders { response.headers[name] = value }
        return response
    }
}

/// Cookie reading and writing.
enum Cookies {
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return String(parts[1]).trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    static func set(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}

/// A URL-encoded form, read from the request body.
struct Form: Sendable {
    var fields: [String: String]

    subscript(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    static func read(_ request: Request) async throws -> Form {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 64 * 1024)
        } catch {
            throw HubError(.contentTooLarge, "That form is too large.")
        }
        return parse(String(buffer: buffer))
    }

    static func parse(_ text: String) -> Form {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            guard let name = parts.first else { continue }
            fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return Form(fields: fields)
    }

    /// Reads a signed-in user's form and checks its CSRF token.
    static func checked(_ request: Request, _ session: HubSession) async throws -> Form {
        let form = try await read(request)
        guard let token = form.fields["csrf"], Secrets.equal(token, session.csrf) else {
            throw HubError(.forbidden, "That form has expired or did not come from the hub. Go back, reload the page and try again.")
        }
        return form
    }
}

/// Random tokens and comparisons that take the same time whatever they compare.
enum Secrets {
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
