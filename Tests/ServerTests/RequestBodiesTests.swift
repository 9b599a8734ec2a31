import FHIR
import Foundation
import GPConnectContract
import Testing

/// The contract's typed request bodies encode to the bytes the client and the benchmark wrote by
/// hand before they existed.
@Suite("Request bodies")
struct RequestBodiesTests {
    static let identifier: FHIRElement = [
        "name": "patientNHSNumber", "valueIdentifier": ["system": .string(IdentifierSystem.nhsNumber), "value": "9690937286"],
    ]

    @Test func structuredRecordParameters() {
        let typed = StructuredRecordParameters(
            nhsNumber: "9690937286",
            parameters: [
                .allergies(includeResolved: true), .medication(includePrescriptionIssues: true), .init(.problems),
                .consultations(mostRecent: 3), .medication(),
            ])
        let literal: FHIRElement = [
            "resourceType": "Parameters",
            "parameter": [
                Self.identifier,
                ["name": "includeAllergies", "part": [["name": "includeResolvedAllergies", "valueBoolean": true]]],
                ["name": "includeMedication", "part": [["name": "includePrescriptionIssues", "valueBoolean": true]]],
                ["name": "includeProblems"],
                ["name": "includeConsultations", "part": [["name": "includeNumberOfMostRecent", "valuePositiveInt": .number("3")]]],
                ["name": "includeMedication"],
            ],
        ]
        #expect(FHIRJSON.encodeString(typed.fhir) == FHIRJSON.encodeString(literal))
    }

    @Test(arguments: [false, true])
    func migrationParameters(sensitive: Bool) {
        let literal: FHIRElement = [
            "resourceType": "Parameters",
            "parameter": [
                Self.identifier,
                ["name": "includeFullRecord", "part": [["name": "includeSensitiveInformation", "valueBoolean": .bool(sensitive)]]],
            ],
        ]
        let typed = StructuredRecordParameters.migration(nhsNumber: "9690937286", includeSensitive: sensitive)
        #expect(FHIRJSON.encodeString(typed.fhir) == FHIRJSON.encodeString(literal))
    }

    @Test func registerPatientParameters() {
        let patient: FHIRElement = ["resourceType": "Patient", "birthDate": "1951-03-10"]
        let literal: FHIRElement = ["resourceType": "Parameters", "parameter": [["name": "registerPatient", "resource": patient]]]
        #expect(FHIRJSON.encodeString(RegisterPatientParameters(patient: patient).fhir) == FHIRJSON.encodeString(literal))
    }

    @Test(arguments: [nil, "urgent-care"])
    func appointmentBooking(type: String?) {
        let now = Date(timeIntervalSince1970: 1_767_000_000)
        let booking = AppointmentBooking(
            slotID: "1-2", start: "2026-01-02T10:00:00+00:00", end: "2026-01-02T10:10:00+00:00", patientID: "4", locationID: "16",
            description: "Review", comment: type.map { _ in "A comment" },
            organisation: BookingOrganisation(ods: "B82617", name: "Hub", telephone: "0300 000 0000", type: type), created: now)
        var contained: FHIRObject = [
            "resourceType": "Organization", "id": "1", "meta": ["profile": [.string(Profile.organization)]],
            "identifier": [["system": .string(IdentifierSystem.odsOrganizationCode), "value": "B82617"]],
        ]
        if let type {
            contained.append("type", [["coding": [["system": .string(CodeSystemURL.organisationType), "code": .string(type)]]]])
        }
        contained.append("name", "Hub")
        contained.append("telecom", [["system": "phone", "value": "0300 000 0000", "use": "work"]])
        var body: FHIRObject = [
            "resourceType": "Appointment", "meta": ["profile": [.string(Profile.appointment)]], "contained": [.object(contained)],
            "extension": [["url": .string(ExtensionURL.bookingOrganisation), "valueReference": ["reference": "#1"]]],
            "status": "booked", "description": "Review",
        ]
        body.append("start", "2026-01-02T10:00:00+00:00")
        body.append("end", "2026-01-02T10:10:00+00:00")
        body.append("slot", [["reference": "Slot/1-2"]])
        body.append("created", .string(UKTime.format(now)))
        body.append("comment", type.map { _ in "A comment" })
        body.append(
            "participant",
            [["actor": ["reference": "Patient/4"], "status": "accepted"], ["actor": ["reference": "Location/16"], "status": "accepted"]])
        #expect(FHIRJSON.encodeString(booking.fhir) == FHIRJSON.encodeString(.object(body)))
    }

    @Test func appointmentCancellation() {
        let appointment: FHIRObject = [
            "resourceType": "Appointment", "id": "7", "status": "booked",
            "extension": [["url": .string(ExtensionURL.bookingOrganisation), "valueReference": ["reference": "#1"]]],
        ]
        var literal = appointment
        literal["status"] = "cancelled"
        literal["extension"] = .array(
            (literal["extension"]?.items ?? []) + [["url": .string(ExtensionURL.cancellationReason), "valueString": "Recovered"]])
        #expect(
            FHIRJSON.encodeString(AppointmentCancellation(appointment: appointment, reason: "Recovered").fhir)
                == FHIRJSON.encodeString(.object(literal)))
    }
}
