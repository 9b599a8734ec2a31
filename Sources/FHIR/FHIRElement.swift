/// A FHIR element tree: the one in-memory form of every resource this package reads or writes.
///
/// JSON and XML are two encodings of this tree (``FHIRJSON`` and ``FHIRXML``). Objects keep their
/// fields in insertion order, which is the order the FHIR specification defines for XML, so renderers
/// build resources in StructureDefinition order and both encodings come out right.
///
/// Decimals are carried as their literal text (``number(_:)``), never as `Double`.
public indirect enum FHIRElement: Sendable, Equatable {
    case object(FHIRObject)
    case array([FHIRElement])
    case string(String)
    /// A JSON number, kept as the literal text it was written with.
    case number(String)
    case bool(Bool)
}

/// An ordered set of named fields.
public struct FHIRObject: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: FHIRElement
        public init(_ name: String, _ value: FHIRElement) {
            self.name = name
            self.value = value
        }
    }

    public internal(set) var fields: [Field]

    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    /// The value of a field, if present.
    public subscript(name: String) -> FHIRElement? {
        get { fields.first { $0.name == name }?.value }
        set {
            if let index = fields.firstIndex(where: { $0.name == name }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append(Field(name, newValue))
            }
        }
    }

    /// Appends a field; a nil value or an empty array/object is skipped, so renderers can pass
    /// optional data straight through and never emit empty elements (which FHIR forbids).
    public mutating func append(_ name: String, _ value: FHIRElement?) {
        guard let value, !value.isEmpty else { return }
        fields.append(Field(name, value))
    }

    public var isEmpty: Bool { fields.isEmpty }
    public var names: [String] { fields.map(\.name) }
}

extension FHIRElement {
    /// True for an empty array or object: FHIR does not allow such elements on the wire.
    public var isEmpty: Bool {
        switch self {
        case .array(let items): items.isEmpty
        case .object(let object): object.isEmpty
        case .string, .number, .bool: false
        }
    }

    public var object: FHIRObject? {
        if case .object(let object) = self { object } else { nil }
    }

    /// The string form of a primitive (XML gives every primitive as text; JSON keeps its type).
    public var string: String? {
        switch self {
        case .string(let text), .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .object, .array: nil
        }
    }

    public var bool: Bool? {
        switch self {
        case .bool(let flag): flag
        case .string("true"): true
        case .string("false"): false
        default: nil
        }
    }

    /// The elements of a repeating field. A single value counts as one item, because XML cannot
    /// tell a one-item list from a single value without the StructureDefinition.
    public var items: [FHIRElement] {
        if case .array(let items) = self { items } else { [self] }
    }

    /// The field of an object, or nil.
    public subscript(name: String) -> FHIRElement? {
        object?[name]
    }
}

extension FHIRElement {
    /// An array of strings.
    public static func strings(_ values: [String]) -> FHIRElement { .array(values.map { .string($0) }) }
}

extension FHIRElement: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension FHIRElement: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension FHIRElement: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: FHIRElement...) { self = .array(elements) }
}

extension FHIRElement: ExpressibleByDictionaryLiteral {
    /// An object literal. Order is kept; `nil`-free by construction.
    public init(dictionaryLiteral elements: (String, FHIRElement)...) {
        var object = FHIRObject()
        for (name, value) in elements { object.append(name, value) }
        self = .object(object)
    }
}

extension FHIRObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, FHIRElement)...) {
        self.init()
        for (name, value) in elements { append(name, value) }
    }
}
