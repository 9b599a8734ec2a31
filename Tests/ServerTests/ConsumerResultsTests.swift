import FHIR
import Foundation
import GPConnectClient
import GPConnectContract
import Testing

/// The client's typed results read from real answers of the in-process provider: the reference
/// data's values, so a wrong element path fails.
@Suite("Consumer results")
struct ConsumerResultsTests {
    @Test(arguments: [FHIRFormat.json, .xml])
    func patientSummaryOfPatient2(format: FHIRFormat) async throws {
        try await TestServer.run { server in
            let endpoint = try ConsumerClientTests.endpoint(server)
            let gp = ConsumerClientTests.consumer(format)
            let found = try await gp.findPatient(endpoint, nhsNumber: "9690937286")
            let patient = PatientSummary(try #require(found.first))
            #expect(patient.id == "2")
            #expect(patient.nhsNumber == "9690937286")
            #expect(patient.name == "Mr Horace SKELLY")
            #expect(patient.birthDate == "1925-04-21")
            #expect(patient.gender == "male")
            #expect(patient.generalPractitioner == "Practitioner/1")
            #expect(patient.registeredPractice == "Organization/7")
            #expect(patient.registrationType == "Regular")
            #expect(PatientSummary(try await gp.readPatient(endpoint, id: "2")) == patient)
        }
    }

    @Test(arguments: [FHIRFormat.json, .xml])
    func slotSummariesCarryScheduleActors(format: FHIRFormat) async throws {
        try await TestServer.run { server in
            let endpoint = try ConsumerClientTests.endpoint(server)
            let gp = ConsumerClientTests.consumer(format)
            let found = try await gp.searchFreeSlots(
                endpoint, from: UKTime.day(offset: 1, from: Date()), to: UKTime.day(offset: 3, from: Date()), bookingODS: "B82617")
            let summaries = found.summaries
            #expect(summaries.count == found.slots.count)
            let slot = try #require(summaries.first { $0.schedule == "Schedule/1" })
            #expect(slot.practitionerName == "Miss Nichole Gilbert")
            #expect(slot.locationName == "COXWOLD Surgery")
            #expect(slot.locationID == "16")
            #expect(slot.serviceType == "General medical practice")
            #expect(["In-person", "Video"].contains(slot.deliveryChannel ?? ""))
            #expect(slot.start.flatMap(UKTime.parse) != nil && slot.end.flatMap(UKTime.parse) != nil)
            #expect(!slot.id.isEmpty)
            let video = try #require(summaries.first { $0.schedule == "Schedule/1" && $0.deliveryChannel == "Video" })
            #expect(video.start.map { $0.dropFirst(11).prefix(5) >= "14:30" } == true)
        }
    }

    @Test func appointmentSummaryOfABooking() async throws {
        try await TestServer.run { server in
            let endpoint = try ConsumerClientTests.endpoint(server)
            let gp = ConsumerClientTests.consumer()
            let found = try await gp.searchFreeSlots(
                endpoint, from: UKTime.day(offset: 1, from: Date()), to: UKTime.day(offset: 3, from: Date()), bookingODS: "B82617")
            let slot = try #require(found.summaries.first)
            let booked = try await gp.book(
                endpoint, slot: slot, patientID: "4", description: "Review", comment: "Bring medication",
                bookedBy: BookingOrganisation(ods: "B82617", name: "Hub", telephone: "0300 000 0000"))
            let appointment = AppointmentSummary(booked.appointment)
            #expect(appointment.status == "booked")
            #expect(appointment.start == slot.start && appointment.end == slot.end)
            #expect(appointment.description == "Review")
            #expect(appointment.comment == "Bring medication")
            #expect(appointment.bookedBy == "Hub")
            #expect(appointment.version == "1" && booked.etag == "W/\"1\"")
            let listed = try await gp.patientAppointments(
                endpoint, patientID: "4", from: Date(), through: UKTime.day(offset: 14, from: Date()))
            #expect(listed.map(AppointmentSummary.init) == [appointment])
        }
    }

    @Test(arguments: [FHIRFormat.json, .xml])
    func structuredRecordListsOfPatient2(format: FHIRFormat) async throws {
        try await TestServer.run { server in
            let endpoint = try ConsumerClientTests.endpoint(server)
            let gp = ConsumerClientTests.consumer(format)
            let record = StructuredRecordSummary(
                try await gp.structuredRecord(endpoint, nhsNumber: "9690937286", areas: [.allergies, .medication, .problems]))
            let titles = record.lists.map(\.title)
            #expect(titles.contains("Allergies and adverse reactions"))
            #expect(titles.contains("Medications and medical devices"))
            #expect(titles.contains("Problems"))
            let allergies = try #require(record.lists.first { $0.title == "Allergies and adverse reactions" })
            #expect(allergies.items.map(\.text) == ["Shellfish allergy", "Amoxicillin allergy"])
            // Seeded 1200 and 2000 days before the seed day.
            #expect(allergies.items.map { $0.date.map { String($0.prefix(10)) } } == [Structured.day(-1200), Structured.day(-2000)])
            let ended = try #require(record.lists.first { $0.title == "Ended allergies" })
            #expect(ended.items.map(\.text) == ["Allergy to peanut"])
            let medications = try #require(record.lists.first { $0.title == "Medications and medical devices" })
            #expect(medications.warnings == ["confidential-items"])
            #expect(medications.items.compactMap(\.text).contains("Simvastatin 40mg tablets"))
        }
    }
}
