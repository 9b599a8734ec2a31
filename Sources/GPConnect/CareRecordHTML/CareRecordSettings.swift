public import GPConnectContract

/// What a practice configures about Access Record HTML (GP Connect 0.7.4,
/// accessrecord_html_layout "Per section default time frames"; accessrecord_use_case_retrieve_a_care_record_section,
/// "Deceased patients"; accessrecord_view_emergency).
public struct CareRecordSettings: Sendable, Equatable {
    /// How long after death a record stays available (the spec's default: 28 days).
    public var deceasedAccessDays: Int
    /// Default time frames in months, applied only to sections a consumer sent no range for, and
    /// only to their "consumer supplied" subsections. Empty unless NHS England instructs otherwise.
    public var defaultPeriodMonths: [CareRecordSection: Int]
    /// SNOMED codes shown in the summary's Emergency Codes table wherever they are recorded.
    public var emergencyCodes: Set<String>
    /// `Conformance.version` (the pack's App.config expects what is configured).
    public var conformanceVersion: String

    public init(
        deceasedAccessDays: Int = 28, defaultPeriodMonths: [CareRecordSection: Int] = [:],
        emergencyCodes: Set<String> = CareRecordSettings.covidEmergencyCodes, conformanceVersion: String = "0.7.4"
    ) {
        self.deceasedAccessDays = deceasedAccessDays
        self.defaultPeriodMonths = defaultPeriodMonths
        self.emergencyCodes = emergencyCodes
        self.conformanceVersion = conformanceVersion
    }

    /// The COVID-19 set of nhsconnect/gpconnect-emergency-codes: shielding ("high risk" and
    /// "moderate risk" categories) and confirmed infection.
    public static let covidEmergencyCodes: Set<String> = [
        "1300561000000107", "1300571000000100", "1300591000000101", "1240751000000100", "1300721000000109",
    ]
}
