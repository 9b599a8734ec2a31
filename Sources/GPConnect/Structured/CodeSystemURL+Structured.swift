public import GPConnectContract

/// Code systems of Access Record Structured.
extension CodeSystemURL {
    public static let snomed = "http://snomed.info/sct"
    public static let secondaryListValues = "https://fhir.hl7.org.uk/STU3/CodeSystem/GPConnect-SecondaryListValues-1"
    public static let listEmptyReason = "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-ListEmptyReasonCode-1"
}
