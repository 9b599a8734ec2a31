import Foundation

/// What a consumer system puts on every GP Connect request: the Spine headers with a bearer
/// audit token (GP Connect 1.6.2, integration_spine_secure_proxy, "HTTP headers";
/// integration_cross_organisation_audit_and_provenance), and a query string encoded the one way.
/// The consumer client and the benchmark both send these.
public enum ConsumerRequest {
    /// The `Ssp-*` and `Authorization` headers for one interaction.
    public static func spineHeaders(
        _ interaction: Interaction, traceID: String, fromASID: String, toASID: String, token: AuditToken
    ) -> [(name: String, value: String)] {
        [
            (HeaderName.traceID, traceID), (HeaderName.from, fromASID), (HeaderName.to, toASID),
            (HeaderName.interactionID, interaction.id), (HeaderName.authorization, "Bearer " + token.encode()),
        ]
    }

    /// `name=value&…`, each part percent-encoded (unreserved characters stay).
    public static func query(_ items: [(String, String)]) -> String {
        items.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
