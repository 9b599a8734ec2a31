import GPConnectContract

/// Fixed texts of the structured lists (nhsconnect/gpconnect feature/1.6.2,
/// accessrecord_structured_development_list, "Warning codes").
public enum StructuredText {
    public static let confidentialItems = "Items excluded due to confidentiality and/or patient preferences."
    public static let noContent = "Information not available"
    public static let awaitingFiling =
        "Patient data may be incomplete as there is data supplied by a third party awaiting review before becoming available."

    /// The `data-in-transit` note: the day the patient registered here, as `dd-Mmm-yyyy`.
    static func inTransit(since date: String) -> String {
        "Patient record transfer from previous GP practice not yet complete; information recorded before \(ClinicalDate.display(date)) may be missing."
    }
}
