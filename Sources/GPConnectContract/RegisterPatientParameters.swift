public import FHIR

/// The `Parameters` body of `$gpc.registerpatient`: one `registerPatient` parameter holding a
/// `CareConnect-GPC-Patient-1` Patient (nhsconnect/gpconnect feature/1.6.2,
/// foundations_use_case_register_a_patient).
public struct RegisterPatientParameters: Sendable, Equatable {
    public var patient: FHIRElement

    public init(patient: FHIRElement) {
        self.patient = patient
    }

    /// The `Parameters` resource.
    public var fhir: FHIRElement {
        ["resourceType": "Parameters", "parameter": [["name": "registerPatient", "resource": patient]]]
    }
}
