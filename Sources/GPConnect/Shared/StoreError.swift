public enum StoreError: Error, Sendable, Equatable {
    /// A conditional write lost: the record changed (or appeared) since it was read.
    case conflict
    /// Stored data could not be read back into its record type.
    case corrupt(String)
    /// What was to be written breaks a rule the store keeps (a document's bytes do not add up to its size).
    case invalid(String)
}
