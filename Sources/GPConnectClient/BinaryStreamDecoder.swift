import FHIR
import Foundation

/// Reads a FHIR `Binary` (JSON or XML) as it arrives, writing the decoded `content` out a piece at
/// a time, so that downloading a document of hundreds of megabytes never holds it (or its base64)
/// in memory. Everything around `content` is kept and parsed at the end as an ordinary resource.
struct BinaryStreamDecoder {
    enum Failure: Error, Equatable {
        case notBinary
        case badBase64
    }

    let format: FHIRFormat
    /// The resource without its content, as it arrives.
    private(set) var envelope: [UInt8] = []
    private var inContent = false
    private var contentDone = false
    /// Base64 characters not yet decoded (fewer than 4).
    private var pendingBase64: [UInt8] = []
    private(set) var decodedBytes = 0

    init(format: FHIRFormat) { self.format = format }

    /// What comes just before the base64: `"content":"` in compact JSON (`"content": "` pretty-printed),
    /// `<content value="` in XML.
    private var markers: [[UInt8]] {
        format == .json ? [Array("\"content\":\"".utf8), Array("\"content\": \"".utf8)] : [Array("<content value=\"".utf8)]
    }

    /// Feeds the next bytes of the body; decoded content goes to `write`.
    mutating func feed(_ bytes: [UInt8], write: ([UInt8]) throws -> Void) throws {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if inContent {
                let end = bytes[index...].firstIndex(of: UInt8(ascii: "\"")) ?? bytes.endIndex
                try decode(bytes[index..<end], write: write)
                index = end
                if end < bytes.endIndex {
                    guard pendingBase64.isEmpty else { throw Failure.badBase64 }
                    inContent = false
                    contentDone = true
                    envelope.append(UInt8(ascii: "\""))
                    index = bytes.index(after: end)
                }
            } else {
                envelope.append(bytes[index])
                index = bytes.index(after: index)
                if !contentDone, envelope.last == UInt8(ascii: "\""),
                    markers.contains(where: { envelope.count >= $0.count && envelope.suffix($0.count).elementsEqual($0) })
                {
                    inContent = true
                }
            }
        }
    }

    private mutating func decode(_ characters: ArraySlice<UInt8>, write: ([UInt8]) throws -> Void) throws {
        // JSON may escape `/` as `\/`; XML may wrap lines.
        var text = pendingBase64
        if characters.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
            text += characters.filter { $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        } else {
            text += characters
        }
        let whole = text.count / 4 * 4
        pendingBase64 = Array(text[whole...])
        guard whole > 0 else { return }
        guard let data = Data(base64Encoded: Data(text[..<whole])) else { throw Failure.badBase64 }
        decodedBytes += data.count
        try write([UInt8](data))
    }

    /// The resource around the content, once the body has ended.
    func finish() throws -> FHIRElement {
        guard !inContent, pendingBase64.isEmpty else { throw Failure.badBase64 }
        let resource = try format.decode(envelope)
        guard resource["resourceType"]?.string == "Binary" else { throw Failure.notBinary }
        return resource
    }
}
