import Foundation
import GPConnect
import GPConnectContract
import Testing

/// `DiaryStore`: schedules and their slots. GP Connect Appointment Management searches free
/// slots (`search:slot-1`, the conformance pack's `SlotSearch` scenarios) only inside the
/// requested window, and practices close sessions, which blocks the session's free slots.
@Suite("Store contract: diary")
struct DiaryStoreContractTests {
    static func m(_ count: Int) -> Date { Fixture.minutes(count) }

    @Test(arguments: Backend.configured)
    func schedulesAreSavedReadBackAndReplacedWithinTheirPractice(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let one = Fixture.schedule(id: "1")
            let two = Fixture.schedule(id: "2", location: "8")
            let twelve = Fixture.schedule(id: "12")
            for schedule in [twelve, one, two] { try await stores.diary.saveSchedule(schedule, practice: Fixture.practice) }
            let elsewhere = Fixture.schedule(id: "1", location: "17", serviceType: "Nurse clinic")
            try await stores.diary.saveSchedule(elsewhere, practice: Fixture.otherPractice)

            #expect(try await stores.diary.schedule(practice: Fixture.practice, id: "1") == one)
            #expect(try await stores.diary.schedule(practice: Fixture.otherPractice, id: "1") == elsewhere)
            #expect(try await stores.diary.schedule(practice: Fixture.otherPractice, id: "2") == nil)
            let listed = try await stores.diary.schedules(practice: Fixture.practice)
            #expect(listed.sorted { $0.id < $1.id } == [one, twelve, two])
            #expect(try await stores.diary.schedules(practice: Fixture.otherPractice) == [elsewhere])

            var longer = one
            longer.releaseDays = 28
            longer.version = "2"
            try await stores.diary.saveSchedule(longer, practice: Fixture.practice)
            #expect(try await stores.diary.schedule(practice: Fixture.practice, id: "1") == longer)
            #expect(try await stores.diary.schedules(practice: Fixture.practice).count == 3)
        }
    }

    /// FHIR logical ids need not be numbers (`[A-Za-z0-9\-\.]{1,64}`): a schedule with any id is listed.
    @Test(arguments: Backend.configured)
    func schedulesWithNonNumericIdsAreListedBesideNumberedOnes(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let named = Fixture.schedule(id: "nurse-clinic.2")
            for schedule in [Fixture.schedule(id: "2"), named, Fixture.schedule(id: "10")] {
                try await stores.diary.saveSchedule(schedule, practice: Fixture.practice)
            }
            let listed = try await stores.diary.schedules(practice: Fixture.practice)
            #expect(listed.map(\.id).sorted() == ["10", "2", "nurse-clinic.2"])
            #expect(listed.filter { $0.id != named.id }.map(\.id) == ["2", "10"], "numbered schedules come in number order")
        }
    }

    @Test(arguments: Backend.configured)
    func aSlotReadsBackFieldForField(_ backend: Backend) async throws {
        try await backend.withStores { stores async throws in
            let restricted = SlotRecord(
                id: "s1", scheduleID: "2", start: Self.m(0), end: Self.m(15), status: .free, deliveryChannel: "Telephone", bookable: false,
                restriction: BookingRestriction(organizationTypes: ["gp-practice", "urgent-care"], odsCodes: ["A11111", "B22222"]),
                serviceType: "Telephone consultation")
            let open = Fixture.slot("s2", start: Self.m(15), status: .busy)
            #expect(try await stores.diary.addSlots([restricted, open], practice: Fixture.practice) == 2)
            #expect(try await stores.diary.slots(practice: Fixture.practice, ids: ["s1", "s2"]) == [restricted, open])
        }
    }

    @Test(arguments: Backend.configured)
    func addSlotsAddsOnlySlotsThatDoNotExistYetAndCountsThem(_ backend: Backend) async throws {
        try await backend.withStores { stores async throws in
            let first = (0..<3).map { Fixture.slot("s\($0)", start: Self.m(10 * $0)) }
            #expect(try await stores.diary.addSlots(first, practice: Fixture.practice) == 3)
            // The same ids again, changed, and one new slot: only the new one is added.
            var again = first.map { slot -> SlotRecord in
                var changed = slot
                changed.status = .blocked
                changed.start = slot.start.addingTimeInterval(3_600)
                changed.end = slot.end.addingTimeInterval(3_600)
                return changed
            }
            again.append(Fixture.slot("s3", start: Self.m(30)))
            #expect(try await stores.diary.addSlots(again, practice: Fixture.practice) == 1)
            #expect(
                try await stores.diary.slots(practice: Fixture.practice, ids: ["s0", "s1", "s2", "s3"]) == first + [again[3]],
                "existing slots are left as they are")
            #expect(try await stores.diary.addSlots([], practice: Fixture.practice) == 0)
            // The same ids are new at another practice.
            #expect(try await stores.diary.addSlots(first, practice: Fixture.otherPractice) == 3)
        }
    }

    @Test(arguments: Backend.configured)
    func addSlotsCountsEverySlotOfALargeRelease(_ backend: Backend) async throws {
        try await backend.withStores { stores async throws in
            let release = (0..<450).map { Fixture.slot("r\($0)", start: Self.m(10 * $0)) }
            #expect(try await stores.diary.addSlots(Array(release[0..<250]), practice: Fixture.practice) == 250)
            #expect(try await stores.diary.addSlots(release, practice: Fixture.practice) == 200)
            #expect(try await stores.diary.slots(practice: Fixture.practice, from: Self.m(0), to: Self.m(4_500)).count == 450)
        }
    }

    /// A slot search window `from..<to` returns only free slots that start and end inside it.
    @Test(arguments: Backend.configured)
    func freeSlotsLieWhollyInsideTheWindowAndComeInStartOrder(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let from = Self.m(60)
            let to = Self.m(120)
            let slots = [
                Fixture.slot("late", start: Self.m(100), minutes: 20),  // ends exactly at `to`: inside
                Fixture.slot("early", start: Self.m(60)),  // starts exactly at `from`: inside
                Fixture.slot("middle", start: Self.m(80)),
                Fixture.slot("sameStart", schedule: "2", start: Self.m(80)),
                Fixture.slot("before", start: Self.m(55)),  // starts before the window, ends inside it
                Fixture.slot("straddles", start: Self.m(115)),  // starts inside, ends after `to`
                Fixture.slot("after", start: Self.m(120)),
                Fixture.slot("busy", start: Self.m(70), status: .busy),
                Fixture.slot("blocked", start: Self.m(90), status: .blocked),
            ]
            try await stores.diary.addSlots(slots, practice: Fixture.practice)
            try await stores.diary.addSlots([Fixture.slot("elsewhere", start: Self.m(75))], practice: Fixture.otherPractice)
            let free = try await stores.diary.freeSlots(practice: Fixture.practice, from: from, to: to)
            #expect(
                free.map(\.id) == ["early", "middle", "sameStart", "late"] || free.map(\.id) == ["early", "sameStart", "middle", "late"])
            #expect(free.allSatisfy { $0.status == .free && $0.start >= from && $0.end <= to })
            #expect(try await stores.diary.freeSlots(practice: Fixture.otherPractice, from: from, to: to).map(\.id) == ["elsewhere"])
            #expect(try await stores.diary.freeSlots(practice: Fixture.practice, from: to, to: from).isEmpty)
        }
    }

    /// Practice staff see every slot that starts inside the window, whatever its status.
    @Test(arguments: Backend.configured)
    func slotsInAWindowAreEverySlotStartingInsideItInStartOrder(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let slots = [
                Fixture.slot("straddles", start: Self.m(115)),
                Fixture.slot("busy", start: Self.m(70), status: .busy),
                Fixture.slot("early", start: Self.m(60)),
                Fixture.slot("blocked", start: Self.m(90), status: .blocked),
                Fixture.slot("before", start: Self.m(55)),
                Fixture.slot("atTheEnd", start: Self.m(120)),
            ]
            try await stores.diary.addSlots(slots, practice: Fixture.practice)
            try await stores.diary.addSlots([Fixture.slot("elsewhere", start: Self.m(75))], practice: Fixture.otherPractice)
            let listed = try await stores.diary.slots(practice: Fixture.practice, from: Self.m(60), to: Self.m(120))
            #expect(listed.map(\.id) == ["early", "busy", "blocked", "straddles"])
            #expect(listed.map(\.status) == [.free, .busy, .blocked, .free])
        }
    }

    @Test(arguments: Backend.configured)
    func slotsByIdAreThePracticesOwnInStartOrder(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            try await stores.diary.addSlots(
                [Fixture.slot("c", start: Self.m(30)), Fixture.slot("a", start: Self.m(10)), Fixture.slot("b", start: Self.m(20))],
                practice: Fixture.practice)
            try await stores.diary.addSlots([Fixture.slot("z", start: Self.m(0))], practice: Fixture.otherPractice)
            let found = try await stores.diary.slots(practice: Fixture.practice, ids: ["c", "unknown", "a", "z"])
            #expect(found.map(\.id) == ["a", "c"])
            #expect(try await stores.diary.slots(practice: Fixture.practice, ids: []).isEmpty)
        }
    }

    @Test(arguments: Backend.configured)
    func latestSlotStartIsThePracticesLatestSlotWhateverItsStatus(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            #expect(try await stores.diary.latestSlotStart(practice: Fixture.practice) == nil)
            try await stores.diary.addSlots(
                [
                    Fixture.slot("a", start: Self.m(10)), Fixture.slot("last", start: Self.m(600), status: .blocked),
                    Fixture.slot("b", start: Self.m(300), status: .busy),
                ], practice: Fixture.practice)
            try await stores.diary.addSlots([Fixture.slot("z", start: Self.m(9_000))], practice: Fixture.otherPractice)
            #expect(try await stores.diary.latestSlotStart(practice: Fixture.practice) == Self.m(600))
            #expect(try await stores.diary.latestSlotStart(practice: Fixture.otherPractice) == Self.m(9_000))
            #expect(try await stores.diary.latestSlotStart(practice: "Y99999") == nil)
        }
    }

    /// Closing a session blocks the schedule's free slots in the window; booked slots keep their appointments.
    @Test(arguments: Backend.configured)
    func blockFreeSlotsBlocksOnlyTheSchedulesFreeSlotsStartingInTheWindow(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            try await stores.diary.addSlots(
                [
                    Fixture.slot("free1", start: Self.m(60)), Fixture.slot("free2", start: Self.m(110), minutes: 20),
                    Fixture.slot("busy", start: Self.m(70), status: .busy), Fixture.slot("otherSchedule", schedule: "2", start: Self.m(80)),
                    Fixture.slot("before", start: Self.m(50)), Fixture.slot("atTheEnd", start: Self.m(120)),
                ], practice: Fixture.practice)
            try await stores.diary.addSlots([Fixture.slot("elsewhere", start: Self.m(90))], practice: Fixture.otherPractice)

            #expect(
                try await stores.diary.blockFreeSlots(practice: Fixture.practice, scheduleID: "1", from: Self.m(60), to: Self.m(120)) == 2)
            let after = try await stores.diary.slots(practice: Fixture.practice, from: Self.m(0), to: Self.m(200))
            #expect(
                after.map { "\($0.id):\($0.status.rawValue)" } == [
                    "before:free", "free1:busy-unavailable", "busy:busy", "otherSchedule:free", "free2:busy-unavailable", "atTheEnd:free",
                ])
            #expect(try await stores.diary.slots(practice: Fixture.otherPractice, ids: ["elsewhere"]).first?.status == .free)
            #expect(
                try await stores.diary.freeSlots(practice: Fixture.practice, from: Self.m(0), to: Self.m(200)).map(\.id) == [
                    "before", "otherSchedule", "atTheEnd",
                ])
            // Blocking again finds nothing left to block.
            #expect(
                try await stores.diary.blockFreeSlots(practice: Fixture.practice, scheduleID: "1", from: Self.m(60), to: Self.m(120)) == 0)
        }
    }
}
