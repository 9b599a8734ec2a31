/// Canonical URLs of the profiles GP Connect resources assert in `meta.profile` (nhsconnect/STU3-FHIR-Assets,
/// StructureDefinitions/).
public enum Profile {
    static let base = "https://fhir.nhs.uk/STU3/StructureDefinition/"
    public static let patient = base + "CareConnect-GPC-Patient-1"
    public static let organization = base + "CareConnect-GPC-Organization-1"
    public static let practitioner = base + "CareConnect-GPC-Practitioner-1"
    public static let practitionerRole = base + "CareConnect-GPC-PractitionerRole-1"
    public static let location = base + "CareConnect-GPC-Location-1"
    public static let operationOutcome = base + "GPConnect-OperationOutcome-1"
    public static let searchsetBundle = base + "GPConnect-Searchset-Bundle-1"
    public static let appointment = base + "GPConnect-Appointment-1"
    public static let schedule = base + "GPConnect-Schedule-1"
    public static let slot = base + "GPConnect-Slot-1"
    public static let structuredRecordBundle = base + "GPConnect-StructuredRecord-Bundle-1"
}

/// Extension URLs.
public enum ExtensionURL {
    static let base = "https://fhir.nhs.uk/STU3/StructureDefinition/"
    public static let registrationDetails = base + "Extension-CareConnect-GPC-RegistrationDetails-1"
    public static let nhsCommunication = base + "Extension-CareConnect-GPC-NHSCommunication-1"
    public static let nhsNumberVerificationStatus = base + "Extension-CareConnect-GPC-NHSNumberVerificationStatus-1"
    public static let practitionerRole = base + "Extension-GPConnect-PractitionerRole-1"
    public static let deliveryChannel = base + "Extension-GPConnect-DeliveryChannel-2"
    public static let bookingOrganisation = base + "Extension-GPConnect-BookingOrganisation-1"
    public static let cancellationReason = base + "Extension-GPConnect-AppointmentCancellationReason-1"
}

/// Code systems.
public enum CodeSystemURL {
    public static let nhsNumberVerificationStatus = "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-NHSNumberVerificationStatus-1"
    public static let registrationType = "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-RegistrationType-1"
    public static let humanLanguage = "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-HumanLanguage-1"
    public static let sdsJobRoleName = "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1"
    public static let organisationType = "https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1"
    public static let deliveryChannel = "https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-DeliveryChannel-1"
}

/// Identifier systems (GP Connect 1.6.2, foundations_design, "Business identifiers"; `sds-role-profile-id`:
/// integration_cross_organisation_audit_and_provenance, "`requesting_practitioner` claim").
public enum IdentifierSystem {
    public static let nhsNumber = "https://fhir.nhs.uk/Id/nhs-number"
    public static let odsOrganizationCode = "https://fhir.nhs.uk/Id/ods-organization-code"
    public static let odsSiteCode = "https://fhir.nhs.uk/Id/ods-site-code"
    public static let sdsUserID = "https://fhir.nhs.uk/Id/sds-user-id"
    public static let sdsRoleProfileID = "https://fhir.nhs.uk/Id/sds-role-profile-id"
}
