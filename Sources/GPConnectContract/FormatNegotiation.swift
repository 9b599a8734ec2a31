public import FHIR
import Foundation

/// Chooses the encoding of a response and reads the encoding of a request body: `_format` over
/// `Accept`; then the request's `Content-Type`; JSON by default (GP Connect 1.6.2,
/// development_general_api_guidance, "Content types").
public enum FormatNegotiation {
    /// MIME types and `_format` values accepted for each encoding. The DSTU2 names and the plain
    /// ones are the FHIR-defined aliases; `_format` also takes the short `json` / `xml`.
    static func format(ofMediaType raw: String, allowShortNames: Bool) -> FHIRFormat? {
        // What nearly every consumer sends, exactly: no trimming or lower-casing needed.
        switch raw {
        case "application/fhir+json": return .json
        case "application/fhir+xml": return .xml
        default: break
        }
        let mediaType =
            raw.split(separator: ";", maxSplits: 1).first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            } ?? ""
        switch mediaType {
        case "application/fhir+json", "application/json+fhir", "application/json": return .json
        case "application/fhir+xml", "application/xml+fhir", "application/xml", "text/xml": return .xml
        case "json" where allowShortNames: return .json
        case "xml" where allowShortNames: return .xml
        default: return nil
        }
    }

    /// The response encoding.
    ///
    /// - Throws: `GPConnectError` with HTTP 415 when `_format`, `Accept` or `Content-Type` asks only
    ///   for something else.
    public static func responseFormat(formatParameter: String?, accept: String?, contentType: String?) throws(GPConnectError)
        -> FHIRFormat
    {
        if let formatParameter {
            guard let format = format(ofMediaType: formatParameter, allowShortNames: true) else {
                throw unsupported("_format \(formatParameter) is not supported")
            }
            return format
        }
        if let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty {
            let ranges = accept.split(separator: ",").map { String($0) }
            for range in ranges {
                if let format = format(ofMediaType: range, allowShortNames: false) { return format }
            }
            if ranges.contains(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("*/*") }) {
                return (try? requestFormat(contentType: contentType)) ?? .json
            }
            throw unsupported("Accept header asks for no supported FHIR format")
        }
        if let contentType, let format = format(ofMediaType: contentType, allowShortNames: false) {
            return format
        }
        return .json
    }

    /// The encoding of a request body, from its `Content-Type`.
    public static func requestFormat(contentType: String?) throws(GPConnectError) -> FHIRFormat {
        guard let contentType else { throw unsupported("Content-Type header is required with a body") }
        guard let format = format(ofMediaType: contentType, allowShortNames: false) else {
            throw unsupported("Content-Type \(contentType) is not supported")
        }
        return format
    }

    static func unsupported(_ diagnostics: String) -> GPConnectError {
        GPConnectError(.badRequest, diagnostics, status: 415)
    }
}
