/// The clinical areas of Access Record Structured, with the parameter that asks for each
/// (nhsconnect/gpconnect feature/1.6.2, accessrecord_structured_development_fhir_operation).
public enum ClinicalArea: String, Sendable, CaseIterable, Codable, Hashable {
    case allergies
    case medications
    case consultations
    case problems
    case immunisations
    case uncategorised
    case investigations
    case referrals
    case diary
    case documents

    /// The top-level operation parameter.
    public var parameter: String {
        switch self {
        case .allergies: "includeAllergies"
        case .medications: "includeMedication"
        case .consultations: "includeConsultations"
        case .problems: "includeProblems"
        case .immunisations: "includeImmunisations"
        case .uncategorised: "includeUncategorisedData"
        case .investigations: "includeInvestigations"
        case .referrals: "includeReferrals"
        case .diary: "includeDiaryEntries"
        case .documents: "includeDocuments"
        }
    }

    /// What a list entry says in place of an item of a disabled area.
    public var disabledDisplay: String {
        switch self {
        case .allergies: "Allergies items have been disabled"
        case .medications: "Medications items have been disabled"
        case .consultations: "Consultations items have been disabled"
        case .problems: "Problems items have been disabled"
        case .immunisations: "Immunisations items have been disabled"
        case .uncategorised: "Uncategorised data items have been disabled"
        case .investigations: "Investigations items have been disabled"
        case .referrals: "Referrals items have been disabled"
        case .diary: "Diary entries items have been disabled"
        case .documents: "Documents items have been disabled"
        }
    }
}
