import Foundation
import GPConnectClient
import Hummingbird
import Mustache

/// The hub's templates (swift-mustache, HTML-escaping every `{{value}}`) and its static files,
/// loaded once from the target's resources.
struct HubViews: Sendable {
    let library: MustacheLibrary
    let assets: [String: (type: String, bytes: ByteBuffer)]

    static func load() async throws -> HubViews {
        guard let templates = Bundle.module.url(forResource: "Templates", withExtension: nil),
            let statics = Bundle.module.url(forResource: "Static", withExtension: nil)
        else { throw HubError(.internalServerError, "The hub's templates are missing from its resources.") }
        let library = try await MustacheLibrary(directory: templates.path)
        var assets: [String: (type: String, bytes: ByteBuffer)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: statics.path) {
            let data = try Data(contentsOf: statics.appendingPathComponent(name))
            let type =
                name.hasSuffix(".css")
                ? "text/css; charset=utf-8" : name.hasSuffix(".js") ? "text/javascript; charset=utf-8" : "application/octet-stream"
            assets[name] = (type, ByteBuffer(bytes: data))
        }
        return HubViews(library: library, assets: assets)
    }

    func asset(_ name: String) throws -> Response {
        guard let asset = assets[name] else { throw HubError(.notFound, "There is no such file on the hub.") }
        return Response(status: .ok, headers: [.contentType: asset.type], body: .init(byteBuffer: asset.bytes))
    }

    /// The navigation, with the current section marked.
    static let sections: [(path: String, title: String)] = [
        ("/capacity", "Capacity"), ("/slots", "Find and book"), ("/patient", "Patients"), ("/record", "Record"), ("/tasks", "Tasks"),
        ("/audit", "Access log"),
    ]

    /// A whole page: the template rendered with `data`, inside the layout.
    func html(_ template: String, title: String, _ data: [String: Any], session: HubSession?, section: String? = nil) -> String {
        var values = data
        values["csrf"] = session?.csrf ?? ""
        let content = library.render(values, withTemplate: template) ?? "<p>The page could not be drawn.</p>"
        return layout(title: title, content: content, session: session, section: section)
    }

    func layout(title: String, content: String, session: HubSession?, section: String?) -> String {
        var layout: [String: Any] = ["title": title, "content": content]
        if let session {
            layout["user"] = ["name": session.user.displayName, "role": session.user.role, "csrf": session.csrf]
            layout["nav"] = Self.sections.map { ["path": $0.path, "title": $0.title, "current": $0.path == section] }
        }
        return library.render(layout, withTemplate: "layout") ?? content
    }

    func page(
        _ template: String, title: String, _ data: [String: Any] = [:], session: HubSession?, section: String? = nil,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        Self.response(html(template, title: title, data, session: session, section: section), status: status)
    }

    func errorPage(_ status: HTTPResponse.Status, _ message: String, session: HubSession?) -> Response {
        page(
            "error", title: "Problem",
            ["status": status.code, "reason": status.reasonPhrase, "message": message, "signedIn": session != nil],
            session: session, status: status)
    }

    static func response(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

/// Escapes text for HTML (what the SVG and streamed parts write by hand).
func escapeHTML(_ text: String) -> String { CareRecordSummary.escape(text) }
