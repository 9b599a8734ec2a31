import Foundation
import GPConnect
import GPConnectContract
import Testing

/// `AppointmentStore`: booking, amending and cancelling (GP Connect Appointment Management
/// `create:appointment-1`, `update:appointment-1`, `cancel:appointment-1`, read and search for a
/// patient's appointments). The conformance pack's `BookAppointment` scenarios book slots that
/// are no longer free and expect a conflict (`DUPLICATE_REJECTED`); `AmendAppointment` and
/// `CancelAppointment` send a stale version and expect a conflict too.
@Suite("Store contract: appointments")
struct AppointmentStoreContractTests {
    static func m(_ count: Int) -> Date { Fixture.minutes(count) }

    @Test(arguments: Backend.configured)
    func bookingStoresTheAppointmentUnderThePracticesNextIdAndMakesEverySlotBusy(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let slots = (0..<3).map { Fixture.slot("s\($0)", start: Self.m(10 * $0)) }
            try await stores.diary.addSlots(slots, practice: Fixture.practice)
            try await stores.diary.addSlots(slots, practice: Fixture.otherPractice)

            let booked = try await stores.appointments.book(Fixture.appointment(slots: Array(slots[0..<2])), practice: Fixture.practice)
            #expect(!booked.id.isEmpty)
            var expected = Fixture.appointment(slots: Array(slots[0..<2]))
            expected.id = booked.id
            #expect(booked == expected, "the stored appointment is the one given, with its id")
            #expect(try await stores.appointments.appointment(practice: Fixture.practice, id: booked.id) == booked)
            #expect(
                try await stores.diary.slots(practice: Fixture.practice, ids: ["s0", "s1", "s2"]).map(\.status) == [.busy, .busy, .free])
            #expect(
                try await stores.diary.slots(practice: Fixture.otherPractice, ids: ["s0", "s1"]).map(\.status) == [.free, .free],
                "the other practice's slots of the same ids stay free")

            let next = try await stores.appointments.book(Fixture.appointment(slots: [slots[2]]), practice: Fixture.practice)
            #expect(next.id != booked.id)
            #expect(Int(next.id).map { $0 > Int(booked.id)! } == true, "the practice's next id: \(next.id) after \(booked.id)")

            // Another practice numbers its own appointments, and never sees this practice's.
            #expect(try await stores.appointments.appointment(practice: Fixture.otherPractice, id: next.id) == nil)
            let elsewhere = try await stores.appointments.book(Fixture.appointment(slots: [slots[0]]), practice: Fixture.otherPractice)
            #expect(elsewhere.id == booked.id, "each practice's ids count on their own")
            #expect(try await stores.appointments.appointment(practice: Fixture.practice, id: booked.id) == booked)
            #expect(try await stores.appointments.appointment(practice: Fixture.otherPractice, id: elsewhere.id) == elsewhere)
        }
    }

    /// Booking is all or nothing: when any slot is no longer free, no slot changes and nothing is stored.
    @Test(arguments: Backend.configured)
    func bookingASlotThatIsNoLongerFreeIsAConflictAndChangesNothing(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let free = Fixture.slot("free", start: Self.m(0))
            let busy = Fixture.slot("busy", start: Self.m(10), status: .busy)
            let blocked = Fixture.slot("blocked", start: Self.m(10), status: .blocked)
            try await stores.diary.addSlots([free, busy, blocked], practice: Fixture.practice)
            try await stores.diary.addSlots([Fixture.slot("theirs", start: Self.m(10))], practice: Fixture.otherPractice)

            for taken in [busy, blocked, Fixture.slot("missing", start: Self.m(10)), Fixture.slot("theirs", start: Self.m(10))] {
                await #expect(throws: StoreError.conflict, "\(taken.id)") {
                    try await stores.appointments.book(Fixture.appointment(slots: [free, taken]), practice: Fixture.practice)
                }
            }
            #expect(try await stores.diary.slots(practice: Fixture.practice, ids: ["free"]).first?.status == .free)
            #expect(try await stores.diary.slots(practice: Fixture.otherPractice, ids: ["theirs"]).first?.status == .free)
            #expect(try await stores.appointments.appointments(practice: Fixture.practice, from: Self.m(-60), to: Self.m(60)).isEmpty)

            // The free slot is still bookable, once.
            let booked = try await stores.appointments.book(Fixture.appointment(slots: [free]), practice: Fixture.practice)
            #expect(try await stores.appointments.appointment(practice: Fixture.practice, id: booked.id) == booked)
            await #expect(throws: StoreError.conflict) {
                try await stores.appointments.book(Fixture.appointment(slots: [free]), practice: Fixture.practice)
            }
        }
    }

    /// Twenty concurrent bookings of one slot through two provider instances: exactly one is
    /// stored, "in one process or across many".
    @Test(arguments: Backend.configured)
    func concurrentBookingsOfOneSlotSucceedOnce(_ backend: Backend) async throws {
        try await backend.withInstances(2) { instances in
            let slot = Fixture.slot("contested", start: Self.m(0))
            try await instances[0].stores.diary.addSlots([slot], practice: Fixture.practice)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    let stores = instances[index % 2].stores
                    group.addTask {
                        do {
                            _ = try await stores.appointments.book(
                                Fixture.appointment(patientID: String(index % 8 + 1), slots: [slot], description: "race \(index)"),
                                practice: Fixture.practice)
                            return true
                        } catch StoreError.conflict {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let stored = try await instances[1].stores.appointments.appointments(practice: Fixture.practice, from: slot.start, to: slot.end)
            #expect(stored.count == 1)
            #expect(try await instances[1].stores.diary.slots(practice: Fixture.practice, ids: [slot.id]).first?.status == .busy)
        }
    }

    /// Concurrent bookings of different slots all succeed, each under an id of its own.
    @Test(arguments: Backend.configured)
    func concurrentBookingsOfDifferentSlotsGetDistinctIds(_ backend: Backend) async throws {
        try await backend.withInstances(2) { instances in
            let slots = (0..<16).map { Fixture.slot("s\($0)", start: Self.m(10 * $0)) }
            try await instances[0].stores.diary.addSlots(slots, practice: Fixture.practice)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for (index, slot) in slots.enumerated() {
                    let stores = instances[index % 2].stores
                    group.addTask { try await stores.appointments.book(Fixture.appointment(slots: [slot]), practice: Fixture.practice).id }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(ids).count == 16)
            #expect(
                try await instances[0].stores.appointments.appointments(practice: Fixture.practice, from: Self.m(0), to: Self.m(200)).count
                    == 16)
        }
    }

    @Test(arguments: Backend.configured)
    func appointmentsInAWindowStartInsideItInStartOrderAndCanBeOnePatients(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let starts = [
                ("late", 100, "1"), ("early", 60, "1"), ("otherPatient", 80, "2"), ("before", 50, "1"), ("atTheEnd", 120, "1"),
                ("middle", 90, "1"),
            ]
            var ids: [String: String] = [:]
            for (name, start, patient) in starts {
                let slot = Fixture.slot(name, start: Self.m(start))
                try await stores.diary.addSlots([slot], practice: Fixture.practice)
                ids[name] = try await stores.appointments.book(
                    Fixture.appointment(patientID: patient, slots: [slot], description: name), practice: Fixture.practice
                ).id
            }
            let theirs = Fixture.slot("theirs", start: Self.m(70))
            try await stores.diary.addSlots([theirs], practice: Fixture.otherPractice)
            _ = try await stores.appointments.book(Fixture.appointment(patientID: "1", slots: [theirs]), practice: Fixture.otherPractice)

            let forPatient = try await stores.appointments.appointments(
                practice: Fixture.practice, patientID: "1", from: Self.m(60), to: Self.m(120))
            #expect(forPatient.map(\.description) == ["early", "middle", "late"])
            #expect(forPatient.map(\.id) == ["early", "middle", "late"].map { ids[$0]! })
            let all = try await stores.appointments.appointments(practice: Fixture.practice, from: Self.m(60), to: Self.m(120))
            #expect(all.map(\.description) == ["early", "otherPatient", "middle", "late"])
            #expect(
                try await stores.appointments.appointments(practice: Fixture.practice, patientID: "3", from: Self.m(0), to: Self.m(200))
                    .isEmpty)
            #expect(
                try await stores.appointments.appointments(
                    practice: Fixture.otherPractice, patientID: "1", from: Self.m(0), to: Self.m(200)
                ).map(\.start) == [Self.m(70)])
        }
    }

    /// An amendment replaces the appointment only from the version it read; the slots stay booked.
    @Test(arguments: Backend.configured)
    func updateReplacesTheAppointmentOnlyAtTheExpectedVersion(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let slot = Fixture.slot("s", start: Self.m(0))
            try await stores.diary.addSlots([slot], practice: Fixture.practice)
            let booked = try await stores.appointments.book(Fixture.appointment(slots: [slot]), practice: Fixture.practice)

            var amended = booked
            amended.comment = "amended comment"
            amended.description = "amended"
            amended.version = "2"
            await #expect(throws: StoreError.conflict) {
                try await stores.appointments.update(amended, practice: Fixture.practice, expectedVersion: "2")
            }
            #expect(try await stores.appointments.appointment(practice: Fixture.practice, id: booked.id) == booked)
            try await stores.appointments.update(amended, practice: Fixture.practice, expectedVersion: "1")
            #expect(try await stores.appointments.appointment(practice: Fixture.practice, id: booked.id) == amended)
            #expect(try await stores.diary.slots(practice: Fixture.practice, ids: ["s"]).first?.status == .busy)

            var stale = booked
            stale.comment = "lost update"
            stale.version = "2"
            await #expect(throws: StoreError.conflict) {
                try await stores.appointments.update(stale, practice: Fixture.practice, expectedVersion: "1")
            }
            #expect(try await stores.appointments.appointment(practice: Fixture.practice, id: booked.id) == amended)
            // Nothing to update under another practice, or under an id never booked.
            await #expect(throws: StoreError.conflict) {
                try await stores.appointments.update(amended, practice: Fixture.otherPractice, expectedVersion: "2")
            }
            var unknown = amended
            unknown.id = "999"
            await #expect(throws: StoreError.conflict) {
                try await stores.appointments.update(unknown, practice: Fixture.practice, expectedVersion: "2")
            }
            #expect(try await stores.appointments.appointment(practice: Fixture.practice, id: "999") == nil)
        }
    }

    /// Cancelling frees the appointment's slots in the same transaction; a stale cancellation
    /// changes neither the appointment nor its slots.
    @Test(arguments: Backend.configured)
    func cancellingFreesTheSlotsInTheSameTransactionAndOnlyAtTheExpectedVersion(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let slots = [Fixture.slot("a", start: Self.m(0)), Fixture.slot("b", start: Self.m(10))]
            try await stores.diary.addSlots(slots, practice: Fixture.practice)
            let booked = try await stores.appointments.book(Fixture.appointment(slots: slots), practice: Fixture.practice)

            var cancelled = booked
            cancelled.status = .cancelled
            cancelled.cancellationReason = "Patient unwell"
            cancelled.version = "2"
            await #expect(throws: StoreError.conflict) {
                try await stores.appointments.update(cancelled, practice: Fixture.practice, expectedVersion: "5")
            }
            #expect(try await stores.appointments.appointment(practice: Fixture.practice, id: booked.id)?.status == .booked)
            #expect(
                try await stores.diary.slots(practice: Fixture.practice, ids: ["a", "b"]).map(\.status) == [.busy, .busy],
                "a refused cancellation frees nothing")

            try await stores.appointments.update(cancelled, practice: Fixture.practice, expectedVersion: "1")
            #expect(try await stores.appointments.appointment(practice: Fixture.practice, id: booked.id) == cancelled)
            #expect(try await stores.diary.slots(practice: Fixture.practice, ids: ["a", "b"]).map(\.status) == [.free, .free])
            #expect(try await stores.diary.freeSlots(practice: Fixture.practice, from: Self.m(0), to: Self.m(20)).map(\.id) == ["a", "b"])
            // The freed slots can be booked again.
            let rebooked = try await stores.appointments.book(Fixture.appointment(patientID: "3", slots: slots), practice: Fixture.practice)
            #expect(rebooked.id != booked.id)
            #expect(try await stores.diary.slots(practice: Fixture.practice, ids: ["a", "b"]).map(\.status) == [.busy, .busy])
        }
    }

    /// Concurrent amendments or cancellations from one read: one wins.
    @Test(arguments: Backend.configured)
    func concurrentUpdatesFromOneVersionSucceedOnce(_ backend: Backend) async throws {
        try await backend.withInstances(2) { instances in
            let slot = Fixture.slot("s", start: Self.m(0))
            try await instances[0].stores.diary.addSlots([slot], practice: Fixture.practice)
            let booked = try await instances[0].stores.appointments.book(Fixture.appointment(slots: [slot]), practice: Fixture.practice)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<12 {
                    let stores = instances[index % 2].stores
                    group.addTask {
                        var update = booked
                        update.version = "2"
                        if index.isMultiple(of: 3) {
                            update.status = .cancelled
                        } else {
                            update.comment = "writer \(index)"
                        }
                        do {
                            try await stores.appointments.update(update, practice: Fixture.practice, expectedVersion: "1")
                            return true
                        } catch StoreError.conflict {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let stored = try #require(try await instances[1].stores.appointments.appointment(practice: Fixture.practice, id: booked.id))
            #expect(stored.version == "2")
            let slotStatus = try await instances[1].stores.diary.slots(practice: Fixture.practice, ids: ["s"]).first?.status
            #expect(slotStatus == (stored.status == .cancelled ? .free : .busy), "the slot is free exactly when the winner cancelled")
        }
    }
}
