import Foundation
import GPConnectClient
import GPConnectHub
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

/// The hub on loopback against a real provider (both reference practices) on loopback, plus a
/// practice the provider does not serve (refused) and one nobody listens for (unreachable).
enum HubTestServer {
    static let username = "receptionist"
    static let password = "correct horse battery"
    static let sdsUserID = "HUBSDS0042"
    static let roleProfileID = "555666777888"

    static func run(
        configure: @Sendable (inout HubConfiguration) -> Void = { _ in },
        _ body: @Sendable (HubBrowser, Client) async throws -> Void
    ) async throws {
        try await TestServer.run { provider in
            let port = try #require(provider.client.port)
            let base = "http://127.0.0.1:\(port)"
            let directory = HubDirectory(practices: [
                ProviderEndpoint(ods: "B82617", name: "COXWOLD SURGERY", baseURL: base, asid: "918999198738"),
                ProviderEndpoint(ods: "A20047", name: "Dr Legg's Surgery", baseURL: base, asid: "918999198739"),
                ProviderEndpoint(ods: "X99999", name: "Practice the provider does not serve", baseURL: base, asid: "918999198799"),
                ProviderEndpoint(ods: "Y00001", name: "Practice that is offline", baseURL: "http://127.0.0.1:9", asid: "918999198740"),
            ])
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("hub-test-\(UUID().uuidString)/hub.sqlite").path
            try await HubUsers.add(
                databasePath: path,
                user: HubUser(
                    username: username, displayName: "Robin Receptionist", sdsUserID: sdsUserID, roleProfileID: roleProfileID,
                    role: "Hub receptionist"),
                password: password, cost: 4)
            // A long deadline: the whole suite runs in parallel on two cores.
            var configuration = HubConfiguration(
                port: 0, databasePath: path, directory: directory, deadline: .seconds(30), logLevel: .error, bcryptCost: 4)
            configure(&configuration)
            let app = try await buildHubApplication(configuration: configuration)
            try await app.test(.live) { client in
                try await body(HubBrowser(client: client), provider)
            }
        }
    }
}

/// A browser-like client: keeps cookies, reads forms' CSRF tokens, follows no redirects.
final class HubBrowser: Sendable {
    let client: any TestClientProtocol
    let cookies = Mutex<[String: String]>([:])

    init(client: any TestClientProtocol) {
        self.client = client
    }

    struct Page: Sendable {
        let status: Int
        let headers: HTTPFields
        let bytes: [UInt8]
        var text: String { String(decoding: bytes, as: UTF8.self) }
        var location: String? { headers[.location] }
        var setCookies: [String] { headers[values: .setCookie] }

        /// The value of the first hidden input `name` (after `after`, if given).
        func hidden(_ name: String, after marker: String? = nil) -> String? {
            var text = text
            if let marker, let range = text.range(of: marker) { text = String(text[range.upperBound...]) }
            guard let range = text.range(of: "name=\"\(name)\" value=\"") else { return nil }
            let rest = text[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
    }

    func request(_ uri: String, method: HTTPRequest.Method = .get, form: [(String, String)]? = nil) async throws -> Page {
        var headers = HTTPFields()
        let jar = cookies.withLock { $0 }
        if !jar.isEmpty { headers[.cookie] = jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            body = ByteBuffer(
                string: form.map {
                    "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
                }.joined(separator: "&"))
        }
        let response = try await client.execute(uri: uri, method: form == nil ? method : .post, headers: headers, body: body)
        let page = Page(status: Int(response.status.code), headers: response.headers, bytes: Array(response.body.readableBytesView))
        for cookie in page.setCookies {
            let pair = cookie.split(separator: ";").first.map(String.init) ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { continue }
            cookies.withLock { jar in
                if parts[1].isEmpty || cookie.contains("Max-Age=0") { jar[parts[0]] = nil } else { jar[parts[0]] = parts[1] }
            }
        }
        return page
    }

    func get(_ uri: String) async throws -> Page { try await request(uri) }

    func post(_ uri: String, _ form: [(String, String)]) async throws -> Page { try await request(uri, form: form) }

    /// Signs in through the form; returns the answer to the sign-in POST.
    @discardableResult
    func signIn(username: String = HubTestServer.username, password: String = HubTestServer.password) async throws -> Page {
        let form = try await get("/signin")
        let token = try #require(form.hidden("csrf"))
        return try await post("/signin", [("csrf", token), ("username", username), ("password", password)])
    }

    /// The session's CSRF token, read from a page's forms.
    func csrf() async throws -> String {
        let page = try await get("/patient")
        return try #require(page.hidden("csrf"))
    }
}
