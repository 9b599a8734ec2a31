import FHIR
import Foundation
import GPConnect
import GPConnectContract

/// Records the contract tests write. Two practices, because a resource id is only meaningful
/// under its practice: every read is checked not to see the other practice's rows.
enum Fixture {
    static let practice = "B82617"
    static let otherPractice = "A20047"

    /// A whole second, so that every backend stores it exactly (slots are kept in Unix seconds).
    static let monday = Date(timeIntervalSince1970: 1_800_000_000)

    static func minutes(_ count: Int, after date: Date = monday) -> Date { date.addingTimeInterval(TimeInterval(count * 60)) }

    static func patient(id: String, nhsNumber: String = "9651258500", family: String = "REA", version: String = "1") -> PatientRecord {
        PatientRecord(
            id: id, nhsNumber: NHSNumber(nhsNumber)!, name: PersonName(use: "official", family: family, given: ["Clive", "James"]),
            otherNames: [PersonName(use: "nickname", family: nil, given: ["Cliv"])], gender: "male", birthDate: "1951-03-10",
            addresses: [Address(use: "home", lines: ["1 High Street"], city: "Leeds", postalCode: "LS1 4HY")],
            telecom: [ContactPoint(system: "phone", value: "0113 496 0000", use: "home")],
            contacts: [PatientContact(relationship: ["Next of kin"], name: PersonName(family: "REA", given: ["Mary"]))],
            languages: [PatientLanguage(code: "de", display: "German", preferred: true, interpreterRequired: false)],
            registrationType: .temporary, registrationStart: "2026-01-01", registrationEnd: "2026-04-01",
            preferredBranchSurgeryID: "8", generalPractitionerID: "1", managingOrganizationID: "7", version: version)
    }

    static func slot(
        _ id: String, schedule: String = "1", start: Date, minutes length: Int = 10, status: SlotRecord.Status = .free,
        restriction: BookingRestriction = .none
    ) -> SlotRecord {
        SlotRecord(
            id: id, scheduleID: schedule, start: start, end: start.addingTimeInterval(TimeInterval(length * 60)), status: status,
            deliveryChannel: "In-person", bookable: true, restriction: restriction, serviceType: "General consultation")
    }

    static let bookingOrganization = BookingOrganization(
        ods: "A11111", name: "Consumer Surgery", telecom: [ContactPoint(system: "phone", value: "0300 303 5678")],
        type: Code(system: "https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1", code: "gp-practice"))

    /// An appointment over `slots` (which must be consecutive), not yet booked (no id).
    static func appointment(patientID: String = "2", slots: [SlotRecord], description: String = "contract") -> AppointmentRecord {
        AppointmentRecord(
            id: "", patientID: patientID, locationID: "16", practitionerID: "1", scheduleID: slots[0].scheduleID,
            slotIDs: slots.map(\.id), start: slots[0].start, end: slots[slots.count - 1].end, created: "2026-01-01T00:00:00+00:00",
            description: description, comment: "first comment", bookingOrganization: bookingOrganization,
            deliveryChannel: slots[0].deliveryChannel, practitionerRole: Code(system: CodeSystemURL.sdsJobRoleName, code: "R0260"),
            serviceCategory: "Routine", serviceType: slots[0].serviceType, provenance: [])
    }

    static func schedule(id: String, location: String = "16", serviceType: String = "General consultation") -> ScheduleRecord {
        ScheduleRecord(
            id: id, practitionerID: "1", locationID: location, practitionerRole: Code(system: CodeSystemURL.sdsJobRoleName, code: "R0260"),
            serviceCategory: "Routine", serviceType: serviceType, planningHorizonStart: "2026-01-01", releaseDays: 7,
            sessions: [
                SessionTemplate(
                    weekdays: [1, 3], start: "09:00", end: "12:00", deliveryChannel: "In-person",
                    restriction: BookingRestriction(organizationTypes: ["urgent-care"]))
            ])
    }

    static func auditEvent(_ index: Int, practice: String = practice) -> AuditEvent {
        var requester = AuditEvent.Requester()
        requester.sdsUserID = "G13579135"
        requester.organizationODS = "A11111"
        return AuditEvent(
            time: minutes(index), traceID: "trace-\(index)", practice: practice,
            interaction: "urn:nhs:names:services:gpconnect:fhir:rest:read:patient-1",
            method: "GET", path: "/\(practice)/STU3/1/gpconnect/fhir/Patient/\(index)", status: index.isMultiple(of: 5) ? 404 : 200,
            spineCode: index.isMultiple(of: 5) ? "PATIENT_NOT_FOUND" : nil, consumerASID: "200000000359", requester: requester,
            patient: String(index))
    }

    static func clinicalItem(
        _ id: String, patientID: String, kind: ClinicalItem.Kind = .problem, status: String? = "active",
        confidentiality: ClinicalItem.Confidentiality = .none, references: [String] = []
    ) -> ClinicalItem {
        var fields: [FHIRObject.Field] = [
            FHIRObject.Field("resourceType", .string(kind.resourceType)), FHIRObject.Field("id", .string(id)),
        ]
        if !references.isEmpty {
            fields.append(
                FHIRObject.Field("evidence", .array(references.map { .object(FHIRObject([FHIRObject.Field("reference", .string($0))])) })))
        }
        fields.append(FHIRObject.Field("subject", .object(FHIRObject([FHIRObject.Field("reference", .string("Patient/\(patientID)"))]))))
        return ClinicalItem(
            id: id, patientID: patientID, kind: kind, status: status, start: "2025-02", end: nil, confidentiality: confidentiality,
            resource: .object(FHIRObject(fields)), references: references + ["Patient/\(patientID)"])
    }
}
