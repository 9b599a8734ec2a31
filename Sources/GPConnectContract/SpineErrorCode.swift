/// The Spine error and warning codes GP Connect returns, from
/// `https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1` (GP Connect 1.6.2,
/// development_fhir_error_handling_guidance).
public enum SpineErrorCode: String, Sendable, CaseIterable, Codable {
    case badRequest = "BAD_REQUEST"
    case conflictingValues = "CONFLICTING_VALUES"
    case invalidIdentifierSystem = "INVALID_IDENTIFIER_SYSTEM"
    case invalidIdentifierValue = "INVALID_IDENTIFIER_VALUE"
    case invalidNHSNumber = "INVALID_NHS_NUMBER"
    case invalidPatientDemographics = "INVALID_PATIENT_DEMOGRAPHICS"
    case noPatientConsent = "NO_PATIENT_CONSENT"
    /// The CodeSystem's spelling; the spec pages write `NO_ORGANISATION_CONSENT`.
    case noOrganisationalConsent = "NO_ORGANISATIONAL_CONSENT"
    /// The code really contains a space.
    case accessDenied = "ACCESS DENIED"
    case noRelationship = "NO_RELATIONSHIP"
    case patientNotFound = "PATIENT_NOT_FOUND"
    case organisationNotFound = "ORGANISATION_NOT_FOUND"
    case practitionerNotFound = "PRACTITIONER_NOT_FOUND"
    case noRecordFound = "NO_RECORD_FOUND"
    case duplicateRejected = "DUPLICATE_REJECTED"
    case fhirConstraintViolation = "FHIR_CONSTRAINT_VIOLATION"
    case invalidResource = "INVALID_RESOURCE"
    case invalidParameter = "INVALID_PARAMETER"
    case referenceNotFound = "REFERENCE_NOT_FOUND"
    case internalServerError = "INTERNAL_SERVER_ERROR"
    case notImplemented = "NOT_IMPLEMENTED"
    /// DSTU2 only (GP Connect 0.7.4, development_fhir_error_handling_guidance).
    case invalidODSCode = "INVALID_ODS_CODE"
    /// DSTU2 only: the practice is not the patient's nominated primary care provider.
    case nonAuthoritative = "NON_AUTHORITATIVE"

    public static let system = "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1"

    /// The display text of the CodeSystem.
    public var display: String {
        switch self {
        case .badRequest: "Bad request"
        case .conflictingValues: "Conflicting values have been specified in different fields"
        case .invalidIdentifierSystem: "Invalid identifier system"
        case .invalidIdentifierValue: "Invalid identifier value"
        case .invalidNHSNumber: "Invalid NHS number"
        case .invalidPatientDemographics: "Invalid patient demographics"
        case .noPatientConsent: "Patient has not provided consent to share data"
        case .noOrganisationalConsent: "Organisation has not provided consent to share data"
        case .accessDenied: "Access has been denied to process this request"
        case .noRelationship: "No legitimate relationship exists with this patient"
        case .patientNotFound: "Patient not found"
        case .organisationNotFound: "Organisation not found"
        case .practitionerNotFound: "Practitioner not found"
        case .noRecordFound: "No record found"
        case .duplicateRejected: "Create would lead to creation of a duplicate resource"
        case .fhirConstraintViolation: "FHIR constraint violated"
        case .invalidResource: "Invalid validation of resource"
        case .invalidParameter: "Invalid parameter"
        case .referenceNotFound: "Reference not found"
        case .internalServerError: "Unexpected internal server error"
        case .notImplemented: "Not implemented"
        case .invalidODSCode: "Invalid ODS code"
        case .nonAuthoritative: "Non authoritative"
        }
    }

    /// The HTTP status the code is returned with.
    public var httpStatus: Int {
        switch self {
        case .badRequest, .conflictingValues, .invalidIdentifierSystem, .invalidIdentifierValue,
            .invalidNHSNumber, .invalidPatientDemographics, .invalidODSCode:
            400
        case .noPatientConsent, .noOrganisationalConsent, .accessDenied, .noRelationship, .nonAuthoritative: 403
        case .patientNotFound, .organisationNotFound, .practitionerNotFound, .noRecordFound: 404
        case .duplicateRejected, .fhirConstraintViolation: 409
        case .invalidResource, .invalidParameter, .referenceNotFound: 422
        case .internalServerError: 500
        case .notImplemented: 501
        }
    }

    /// The FHIR `issue-type` code that goes with it.
    public var issueType: String {
        switch self {
        case .badRequest, .conflictingValues, .invalidResource, .invalidParameter, .referenceNotFound: "invalid"
        case .invalidIdentifierSystem, .invalidIdentifierValue, .invalidNHSNumber, .invalidODSCode: "value"
        case .invalidPatientDemographics: "business-rule"
        case .noPatientConsent, .noOrganisationalConsent, .accessDenied, .noRelationship, .nonAuthoritative: "forbidden"
        case .patientNotFound, .organisationNotFound, .practitionerNotFound, .noRecordFound: "not-found"
        case .duplicateRejected: "duplicate"
        case .fhirConstraintViolation: "conflict"
        case .internalServerError: "processing"
        case .notImplemented: "not-supported"
        }
    }
}
