/// The two FHIR STU3 wire encodings.
public enum FHIRFormat: String, Sendable, CaseIterable {
    case json
    case xml

    /// The MIME type GP Connect responses carry, with the charset the spec requires.
    public var contentType: String {
        switch self {
        case .json: "application/fhir+json;charset=utf-8"
        case .xml: "application/fhir+xml;charset=utf-8"
        }
    }

    /// Encodes a resource tree.
    public func encode(_ resource: FHIRElement) -> [UInt8] {
        switch self {
        case .json: FHIRJSON.encode(resource)
        case .xml: FHIRXML.encode(resource)
        }
    }

    /// Decodes a resource tree.
    ///
    /// - Throws: ``FHIRDecodingError`` when the bytes are not a well-formed resource.
    public func decode(_ bytes: some Collection<UInt8>) throws(FHIRDecodingError) -> FHIRElement {
        switch self {
        case .json: try FHIRJSON.decode(bytes)
        case .xml: try FHIRXML.decode(bytes)
        }
    }
}

/// A body that is not a well-formed FHIR resource in the stated encoding.
public struct FHIRDecodingError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
