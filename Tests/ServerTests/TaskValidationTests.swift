import FHIR
import Foundation
import GPConnect
import GPConnectClient
import GPConnectContract
import HummingbirdTesting
import Testing

/// The Task profile is this project's own, so the NHS profile checker does not apply: every Task
/// and Bundle the task interactions emit is checked by PyPI's `fhir.resources` (STU3), in JSON and
/// XML, with the element order of its `elements_sequence()`.
@Suite("Tasks: STU3 validity, checked by fhir.resources")
struct TaskValidationTests {
    @Test func everyTaskAndBundleIsValidSTU3() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-stu3-tasks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try await TestServer.run { client in
            let requested = try #require(try await client.createTask(as: "A20047")["id"]?.string)
            let completed = try #require(
                try await client.createTask(
                    as: "A20047",
                    body: Client.taskBody(type: .medicationReview, priority: .routine) {
                        $0["basedOn"] = [["reference": "Appointment/5"]]; $0["context"] = nil
                    }
                )["id"]?.string)
            let rejected = try #require(
                try await client.createTask(as: "A20047", body: Client.taskBody(type: .callBack, priority: .asap))["id"]?.string)
            let cancelled = try await client.createTask(
                as: "A20047",
                body: Client.taskBody(type: .other) {
                    $0["restriction"] = nil; $0["note"] = nil
                })
            let cancelledID = try #require(cancelled["id"]?.string)
            _ = try await client.task(
                .cancelTask, "Task/\(cancelledID)", as: "A20047",
                body: TaskCancellation(task: cancelled.object ?? FHIRObject(), reason: "Sent in error").fhir)
            try await client.practice { tasks, practice, caller in
                let now = Date()
                _ = try await tasks.advance(id: completed, to: .accepted, practice: practice, caller: caller, now: now)
                _ = try await tasks.addNote(id: completed, text: "Reviewed with the patient", practice: practice, caller: caller, now: now)
                _ = try await tasks.advance(id: completed, to: .inProgress, practice: practice, caller: caller, now: now)
                _ = try await tasks.advance(
                    id: completed, to: .completed, output: "Dose reduced", practice: practice, caller: caller, now: now)
                _ = try await tasks.advance(
                    id: rejected, to: .rejected, reason: "Not our patient any more", practice: practice, caller: caller, now: now)
            }
            let samples: [(String, Interaction, String)] = [
                ("task-requested", .readTask, "Task/\(requested)"), ("task-completed", .readTask, "Task/\(completed)"),
                ("task-rejected", .readTask, "Task/\(rejected)"), ("task-cancelled", .readTask, "Task/\(cancelledID)"),
                ("task-search", .searchTasks, "Task?requester=A20047"),
                ("task-search-empty", .searchTasks, "Task?requester=A20047&status=failed"),
                ("task-refused", .readTask, "Task/4040"),
            ]
            for (name, interaction, path) in samples {
                for format in FHIRFormat.allCases {
                    let reply = try await client.task(
                        interaction, path + (path.contains("?") ? "&" : "?") + "_format=\(format.rawValue)", as: "A20047")
                    try Data(reply.bytes).write(to: directory.appendingPathComponent("\(name).\(format.rawValue)"))
                }
            }
            let search = try await client.task(.searchTasks, "Task?requester=A20047", as: "A20047")
            #expect(search.entries.count == 4)
        }
        let (status, text) = try STU3ValidationTests.validate(directory)
        #expect(status == 0, "\(text)")
        #expect(text.contains("14 valid"), "\(text)")
    }
}

/// The end-to-end case: A20047's consumer sends a task to B82617, B82617 works it to
/// completion, and A20047 sees the outcome when it polls every practice of its federation.
@Suite("Tasks: two practices end to end")
struct TaskFederationTests {
    @Test func aTaskSentByOnePracticeIsCompletedByAnotherAndTheSenderSeesIt() async throws {
        try await TestServer.run { client in
            let port = client.client.port ?? 0
            let b82617 = ProviderEndpoint(ods: "B82617", name: "COXWOLD SURGERY", baseURL: "http://127.0.0.1:\(port)", asid: "918999198738")
            let a20047 = ProviderEndpoint(
                ods: "A20047", name: "Dr Legg's Surgery", baseURL: "http://127.0.0.1:\(port)", asid: "918999198739")
            let consumer = GPConnectClient(
                consumer: ConsumerIdentity(organizationODS: "A20047", sdsUserID: "G22345655"), consumerASID: Client.consumerASID,
                http: Client.pool, timeout: .seconds(60), retries: 0)
            let sent = try await consumer.sendTask(
                b82617,
                TaskSubmission(
                    ownerODS: "B82617", nhsNumber: "9690937286", type: .bloodTest, priority: .urgent, description: "U&E in a week",
                    due: Date().addingTimeInterval(7 * 86_400), note: "Started ramipril tonight"))
            let id = try #require(sent["id"]?.string)
            #expect(sent.at("requester.onBehalfOf.identifier.value")?.string == "A20047")

            // A20047 is not the owner of B82617's patient: sending it there is refused.
            await #expect(
                throws: GPConnectClientError.refused(
                    status: 404, code: "PATIENT_NOT_FOUND", diagnostics: "The patient is not registered at this practice")
            ) {
                try await consumer.sendTask(
                    a20047, TaskSubmission(ownerODS: "A20047", nhsNumber: "9690937286", type: .other, description: "x"))
            }

            try await client.practice { tasks, practice, caller in
                let now = Date()
                let inbox = try await tasks.inbox(practice: practice, now: now)
                #expect(inbox.map(\.id) == [id])
                _ = try await tasks.advance(id: id, to: .accepted, practice: practice, caller: caller, now: now)
                _ = try await tasks.advance(id: id, to: .inProgress, practice: practice, caller: caller, now: now)
                _ = try await tasks.advance(
                    id: id, to: .completed, output: "Bloods booked for Monday", practice: practice, caller: caller, now: now)
            }

            let federation = FederatedTaskSearch(client: consumer, deadline: .seconds(30))
            let result = await federation.search([b82617, a20047])
            #expect(result.outcomes.map(\.outcome) == [.slots(1), .none])
            let outcome = try #require(result.tasks.first)
            #expect(outcome.practice == "B82617")
            #expect(outcome.id == id)
            #expect(outcome.status == "completed")
            #expect(outcome.output == "Bloods booked for Monday")
            #expect(outcome.type == "blood-test")
            let open = await federation.search([b82617], statuses: [.requested, .received, .accepted, .inProgress])
            #expect(open.tasks.isEmpty)

            // Completed: the requester can no longer cancel it.
            let read = try await consumer.readTask(b82617, id: id)
            await #expect(throws: GPConnectClientError.self) { try await consumer.cancelTask(b82617, task: read, reason: "late") }
        }
    }
}
