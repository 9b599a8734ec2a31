import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt

extension Hub {
    /// Sign-in with a local account (bcrypt), a fresh session token in an `HttpOnly`,
    /// `SameSite=Strict` cookie (`Secure` under TLS), sign-out that ends the session.
    func registerSignIn(on router: Router<HubRequestContext>) {
        router.get("/signin") { [self] request, context in
            if context.session != nil { return Response.redirect(to: "/capacity", type: .normal) }
            return signInPage(message: nil, username: nil, request: request)
        }
        router.post("/signin") { [self] request, _ in
            let form = try await Form.read(request)
            // Before sign-in there is no session: the form's token must match the cookie it came with.
            guard let sent = form.fields["csrf"], let expected = Cookies.value("hub_signin", in: request), Secrets.equal(sent, expected)
            else {
                return signInPage(
                    message: "The sign-in form had expired. Try again.", username: form["username"], request: request, status: .forbidden)
            }
            guard let username = form["username"], let password = form.fields["password"], !password.isEmpty else {
                return signInPage(
                    message: "Enter your username and password.", username: form["username"], request: request, status: .badRequest)
            }
            let credentials = try await store.credentials(username)
            // An unknown user costs the same bcrypt as a wrong password.
            let verified = Bcrypt.verify(password, hash: credentials?.passwordHash ?? Self.decoyHash)
            guard let credentials, verified else {
                return signInPage(
                    message: "The username or password is not right.", username: username, request: request, status: .unauthorized)
            }
            let token = Secrets.token()
            try await store.createSession(
                token: token, username: credentials.user.username, csrf: Secrets.token(),
                expires: Date().addingTimeInterval(configuration.sessionLifetime))
            var response = Response.redirect(to: "/capacity", type: .normal)
            response.headers.append(
                HTTPField(
                    name: .setCookie,
                    value: Cookies.set(
                        "hub_session", token, maxAge: Int(configuration.sessionLifetime), secure: configuration.secureCookies)))
            response.headers.append(
                HTTPField(name: .setCookie, value: Cookies.set("hub_signin", "", maxAge: 0, secure: configuration.secureCookies)))
            return response
        }
        router.post("/signout") { [self] request, context in
            let session = try context.signedIn()
            _ = try await Form.checked(request, session)
            if let token = context.sessionToken { try await store.deleteSession(token: token) }
            var response = Response.redirect(to: "/signin", type: .normal)
            response.headers.append(
                HTTPField(name: .setCookie, value: Cookies.set("hub_session", "", maxAge: 0, secure: configuration.secureCookies)))
            return response
        }
    }

    /// The sign-in form. Its token stays the one the browser already holds (another tab or a
    /// redirected request must not invalidate a form on screen).
    func signInPage(message: String?, username: String?, request: Request, status: HTTPResponse.Status = .ok) -> Response {
        let held = Cookies.value("hub_signin", in: request)
        let token = held.flatMap { $0.count == 64 && $0.allSatisfy(\.isHexDigit) ? $0 : nil } ?? Secrets.token()
        var data: [String: Any] = ["username": username ?? "", "signinCSRF": token]
        data["message"] = message
        var response = views.page("signin", title: "Sign in", data, session: nil, status: status)
        response.headers.append(
            HTTPField(name: .setCookie, value: Cookies.set("hub_signin", token, maxAge: 3600, secure: configuration.secureCookies)))
        return response
    }

    /// A bcrypt hash of nothing anyone types, checked when the username is unknown.
    static let decoyHash = Bcrypt.hash(Secrets.token(), cost: 12)

    /// Hashes a new password with bcrypt.
    static func hashPassword(_ password: String, cost: UInt8) -> String { Bcrypt.hash(password, cost: cost) }
}

/// Adding users (`gpconnect hub users add`).
public enum HubUsers {
    public static func add(
        databasePath: String, user: HubUser, password: String, cost: UInt8 = 12
    ) async throws {
        guard password.count >= 8 else { throw HubError(.badRequest, "A password needs at least 8 characters.") }
        let store = try await HubStore.open(path: databasePath)
        do {
            try await store.addUser(user, passwordHash: Hub.hashPassword(password, cost: cost))
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    public static func list(databasePath: String) async throws -> [HubUser] {
        let store = try await HubStore.open(path: databasePath)
        let users = try? await store.users()
        await store.close()
        return users ?? []
    }
}
