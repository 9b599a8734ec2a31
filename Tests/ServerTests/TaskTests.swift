import FHIR
import Foundation
import GPConnect
import GPConnectClient
import GPConnectContract
import HTTPTypes
import Testing

/// Tasks between federated practices through the real HTTP stack, on SQLite and PostgreSQL: every
/// interaction, each refusal with its OperationOutcome, the workflow's transitions, JSON and XML.
@Suite("Tasks between federated practices")
struct TaskTests {
    @Test(arguments: TaskBackend.configured, FHIRFormat.allCases)
    func aTaskIsCreatedReadSearchedAndCancelled(_ backend: TaskBackend, _ format: FHIRFormat) async throws {
        try await backend.run { client in
            let created = try await client.task(.createTask, "Task", as: "A20047", body: Client.taskBody(), format: format)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.contentType?.hasPrefix(String(format.contentType.split(separator: ";")[0])) == true)
            #expect(created.headers[.cacheControl] == "no-store")
            let task = try #require(created.resource)
            let id = try #require(task["id"]?.string)
            #expect(created.headers[.location]?.hasSuffix("/B82617/STU3/1/gpconnect/fhir/Task/\(id)/_history/1") == true)
            #expect(created.headers[.eTag] == "W/\"1\"")
            #expect(task["status"]?.string == "requested")
            #expect(task["intent"]?.string == "order")
            #expect(task["priority"]?.string == "urgent")
            #expect(task.at("meta.profile")?.string == Profile.federationTask)
            #expect(task.at("code.coding.code")?.string == "396550006")
            #expect(task.at("for.reference")?.string == "Patient/2")
            #expect(task.at("for.identifier.value")?.string == "9690937286")
            #expect(task.at("requester.onBehalfOf.identifier.value")?.string == "A20047", "the requester is the JWT's organisation")
            #expect(task.at("requester.agent.identifier.value")?.string == "GCASDS0001")
            #expect(task.at("owner.identifier.value")?.string == "B82617")
            #expect(task.at("context.reference")?.string == "Encounter/77")
            #expect(task.at("note.text")?.string == "Seen at the hub this evening")
            #expect(task.at("restriction.period.end")?.string != nil)
            #expect(task["authoredOn"]?.string == task["lastModified"]?.string)

            let read = try await client.task(.readTask, "Task/\(id)", as: "A20047", format: format)
            #expect(read.status == 200)
            #expect(read.headers[.eTag] == "W/\"1\"")
            #expect(read.resource == task)

            let search = try await client.task(
                .searchTasks, "Task?requester=A20047&status=requested,received", as: "A20047", format: format)
            #expect(search.status == 200)
            #expect(search.resource?["type"]?.string == "searchset")
            #expect(search.entries.map { $0["id"]?.string } == [id])

            let cancelled = try await client.task(
                .cancelTask, "Task/\(id)", as: "A20047",
                body: TaskCancellation(task: task.object ?? FHIRObject(), reason: "Patient seen in A&E").fhir,
                format: format, headers: { $0[HTTPField.Name(HeaderName.ifMatch)!] = "W/\"1\"" })
            #expect(cancelled.status == 200, "\(cancelled.text)")
            #expect(cancelled.resource?["status"]?.string == "cancelled")
            #expect(cancelled.resource?.at("statusReason.text")?.string == "Patient seen in A&E")
            #expect(cancelled.headers[.eTag] == "W/\"2\"")
            let after = try await client.task(.searchTasks, "Task?requester=A20047&status=cancelled", as: "A20047")
            #expect(after.entries.map { $0.at("meta.versionId")?.string } == ["2"])

            try await client.practice { tasks, practice, caller in
                let stored = try await tasks.task(id: id, practice: practice, caller: caller)
                #expect(stored.history.map(\.action) == ["created", "cancelled"])
                #expect(stored.history.map(\.organizationODS) == ["A20047", "A20047"], "provenance: who did it")
            }
        }
    }

    @Test func preferReturnMinimalAnswersWithHeadersOnly() async throws {
        try await TestServer.run { client in
            let reply = try await client.task(
                .createTask, "Task", body: Client.taskBody(), headers: { $0[HTTPField.Name(HeaderName.prefer)!] = "return=minimal" })
            #expect(reply.status == 201)
            #expect(reply.bytes.isEmpty)
            #expect(reply.headers[.location]?.contains("/Task/") == true)
            #expect(reply.headers[.eTag] == "W/\"1\"")
        }
    }

    @Test(
        arguments: [
            (
                "unknown patient", 404, "PATIENT_NOT_FOUND",
                { @Sendable (b: inout FHIRObject) in b["for"] = TaskTests.patient("9000000009") }
            ),
            ("patient no longer registered here", 404, "PATIENT_NOT_FOUND", { @Sendable b in b["for"] = TaskTests.patient("9690938142") }),
            ("deceased patient", 404, "PATIENT_NOT_FOUND", { @Sendable b in b["for"] = TaskTests.patient("9690938681") }),
            ("invalid NHS number", 400, "INVALID_NHS_NUMBER", { @Sendable b in b["for"] = TaskTests.patient("9690937287") }),
            ("patient by reference only", 422, "INVALID_RESOURCE", { @Sendable b in b["for"] = ["reference": "Patient/2"] }),
            ("wrong owner", 422, "INVALID_RESOURCE", { @Sendable b in b["owner"] = TaskTests.organization("A20047") }),
            ("no owner", 422, "INVALID_RESOURCE", { @Sendable b in b["owner"] = nil }),
            (
                "unknown code", 422, "INVALID_RESOURCE",
                { @Sendable b in b["code"] = ["coding": [["system": "http://snomed.info/sct", "code": "22298006"]]] }
            ),
            (
                "code from another system", 422, "INVALID_RESOURCE",
                { @Sendable b in b["code"] = ["coding": [["system": "http://read.info/readv2", "code": "4I..."]]] }
            ),
            ("status other than requested", 422, "INVALID_RESOURCE", { @Sendable b in b["status"] = "completed" }),
            ("intent other than order", 422, "INVALID_RESOURCE", { @Sendable b in b["intent"] = "proposal" }),
            ("priority stat", 422, "INVALID_RESOURCE", { @Sendable b in b["priority"] = "stat" }),
            ("no description", 422, "INVALID_RESOURCE", { @Sendable b in b["description"] = nil }),
            (
                "provider-filled output", 422, "INVALID_RESOURCE",
                { @Sendable b in b["output"] = [["type": ["text": "x"], "valueString": "y"]] }
            ),
            ("unknown element", 422, "INVALID_RESOURCE", { @Sendable b in b["colour"] = "blue" }),
            (
                "another profile", 422, "INVALID_RESOURCE",
                { @Sendable b in b["meta"] = ["profile": ["https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Appointment-1"]] }
            ),
            ("not a Task", 422, "INVALID_RESOURCE", { @Sendable b in b["resourceType"] = "Appointment" }),
            (
                "requester of another organisation", 422, "INVALID_RESOURCE",
                { @Sendable b in b["requester"] = ["agent": ["display": "x"], "onBehalfOf": TaskTests.organization("Y99999")] }
            ),
            ("due date not a date", 422, "INVALID_RESOURCE", { @Sendable b in b["restriction"] = ["period": ["end": "next week"]] }),
            ("basedOn not an appointment", 422, "INVALID_RESOURCE", { @Sendable b in b["basedOn"] = [["reference": "Observation/1"]] }),
        ] as [(String, Int, String, @Sendable (inout FHIRObject) -> Void)])
    func refusedCreations(name: String, status: Int, code: String, edit: @Sendable (inout FHIRObject) -> Void) async throws {
        try await TestServer.run { client in
            let reply = try await client.task(.createTask, "Task", body: Client.taskBody(edit: edit))
            #expect(reply.status == status, "\(name): \(reply.text)")
            #expect(reply.spineCode == code, "\(name)")
            #expect(reply.resource?["resourceType"]?.string == "OperationOutcome")
            #expect(!reply.text.contains("9690937286"), "\(name): no NHS number in the diagnostics")
        }
    }

    static func patient(_ nhsNumber: String) -> FHIRElement {
        ["identifier": ["system": .string(IdentifierSystem.nhsNumber), "value": .string(nhsNumber)]]
    }

    static func organization(_ ods: String) -> FHIRElement {
        ["identifier": ["system": .string(IdentifierSystem.odsOrganizationCode), "value": .string(ods)]]
    }

    @Test(arguments: FHIRFormat.allCases)
    func malformedBodiesAreBadRequests(_ format: FHIRFormat) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.createTask, "Task", body: "{\"resourceType\": \"Task\",", contentType: format.contentType)
            #expect(reply.status == 400)
            #expect(reply.spineCode == "BAD_REQUEST")
            let empty = try await client.request(.createTask, "Task", body: "", contentType: format.contentType)
            #expect(empty.status == 400)
            #expect(empty.spineCode == "BAD_REQUEST")
        }
    }

    @Test func theRequestedScopeMustFitTheInteraction() async throws {
        try await TestServer.run { client in
            let reply = try await client.task(
                .createTask, "Task", body: Client.taskBody(),
                headers: { $0[.authorization] = "Bearer " + Client.token(for: .readTask) })
            #expect(reply.status == 400)
            #expect(reply.spineCode == "BAD_REQUEST")
            #expect(Interaction.createTask.scope == .patientWrite && Interaction.cancelTask.scope == .patientWrite)
            #expect(Interaction.readTask.scope == .patientRead && Interaction.searchTasks.scope == .patientRead)
        }
    }

    @Test func onlyTheRequesterAndTheOwningPracticeSeeATask() async throws {
        try await TestServer.run { client in
            let task = try await client.createTask(as: "A20047")
            let id = try #require(task["id"]?.string)
            #expect(try await client.task(.readTask, "Task/\(id)", as: "A20047").status == 200)
            #expect(try await client.task(.readTask, "Task/\(id)", as: "B82617").status == 200, "the owning practice")
            let stranger = try await client.task(.readTask, "Task/\(id)", as: "Y01234")
            #expect(stranger.status == 404)
            #expect(stranger.spineCode == "NO_RECORD_FOUND")
            let unknown = try await client.task(.readTask, "Task/4040", as: "A20047")
            #expect(unknown.status == 404)
            #expect(unknown.spineCode == "NO_RECORD_FOUND")
            let elsewhere = try await client.task(.readTask, "Task/\(id)", as: "A20047") {
                $0[HTTPField.Name(HeaderName.to)!] = "918999198739"
            }
            #expect(elsewhere.status == 400, "Ssp-To must be B82617's ASID")

            let theirs = try await client.task(.searchTasks, "Task?requester=A20047", as: "Y01234")
            #expect(theirs.status == 403)
            #expect(theirs.spineCode == "ACCESS DENIED")
            let own = try await client.task(.searchTasks, "Task?requester=Y01234", as: "Y01234")
            #expect(own.status == 200)
            #expect(own.entries.isEmpty)
            let byToken = try await client.task(
                .searchTasks, "Task?requester=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code%7CA20047", as: "A20047")
            #expect(byToken.entries.count == 1)
            let implicit = try await client.task(.searchTasks, "Task", as: "A20047")
            #expect(implicit.entries.count == 1, "with no requester, the caller's own")
            let practice = try await client.task(.searchTasks, "Task?requester=A20047", as: "B82617")
            #expect(practice.entries.count == 1, "the owning practice sees every requester's")
        }
    }

    @Test(
        arguments: [
            ("status=done", "INVALID_PARAMETER", 422), ("_lastUpdated=2026-01-01", "INVALID_PARAMETER", 422),
            ("_lastUpdated=ge2026-13-01", "INVALID_PARAMETER", 422), ("requester=A20047&requester=A20047", "BAD_REQUEST", 400),
            ("Status=requested", "BAD_REQUEST", 400),
        ])
    func badSearchParametersAreRefused(query: String, code: String, status: Int) async throws {
        try await TestServer.run { client in
            let reply = try await client.task(.searchTasks, "Task?requester=A20047&" + query, as: "A20047")
            #expect(reply.status == status, "\(query): \(reply.text)")
            #expect(reply.spineCode == code, "\(query)")
        }
    }

    @Test func lastUpdatedFindsWhatChangedSinceTheLastPoll() async throws {
        try await TestServer.run { client in
            let first = try await client.createTask(as: "A20047")
            let last = try #require(first["lastModified"]?.string)
            try await Task.sleep(for: .milliseconds(1_100))
            let second = try await client.createTask(as: "A20047")
            let since = "ge" + (second["lastModified"]?.string ?? "")
            let encoded = since.replacingOccurrences(of: ":", with: "%3A")
            let changed = try await client.task(.searchTasks, "Task?requester=A20047&_lastUpdated=\(encoded)", as: "A20047")
            #expect(changed.entries.map { $0["id"]?.string } == [second["id"]?.string])
            let before = try await client.task(
                .searchTasks, "Task?requester=A20047&_lastUpdated=le\(last.replacingOccurrences(of: ":", with: "%3A"))", as: "A20047")
            #expect(before.entries.map { $0["id"]?.string } == [first["id"]?.string])
            let today = try await client.task(.searchTasks, "Task?requester=A20047&_lastUpdated=ge\(ISO8601.day(Date()))", as: "A20047")
            #expect(today.entries.count == 2)
        }
    }

    @Test(arguments: TaskBackend.configured)
    func cancellationIsGuardedByVersionStateAndRequester(_ backend: TaskBackend) async throws {
        try await backend.run { client in
            let task = try await client.createTask(as: "A20047")
            let id = try #require(task["id"]?.string)
            let body = TaskCancellation(task: task.object ?? FHIRObject(), reason: "No longer needed").fhir
            let ifMatch = { (version: String) in { (headers: inout HTTPFields) in headers[HTTPField.Name(HeaderName.ifMatch)!] = version } }

            let stale = try await client.task(.cancelTask, "Task/\(id)", as: "A20047", body: body, headers: ifMatch("W/\"7\""))
            #expect(stale.status == 409)
            #expect(stale.spineCode == "FHIR_CONSTRAINT_VIOLATION")
            let byOwner = try await client.task(.cancelTask, "Task/\(id)", as: "B82617", body: body)
            #expect(byOwner.status == 403, "only the requester cancels")
            #expect(byOwner.spineCode == "ACCESS DENIED")
            let byStranger = try await client.task(.cancelTask, "Task/\(id)", as: "Y01234", body: body)
            #expect(byStranger.status == 404)
            var noReason = task.object ?? FHIRObject()
            noReason["status"] = "cancelled"
            let missing = try await client.task(.cancelTask, "Task/\(id)", as: "A20047", body: .object(noReason))
            #expect(missing.status == 422)
            #expect(missing.spineCode == "INVALID_PARAMETER")
            var changed = body.object ?? FHIRObject()
            changed["description"] = "Something else"
            let edited = try await client.task(.cancelTask, "Task/\(id)", as: "A20047", body: .object(changed))
            #expect(edited.status == 422)
            #expect(edited.spineCode == "INVALID_RESOURCE")
            var accepted = body.object ?? FHIRObject()
            accepted["status"] = "accepted"
            let notCancel = try await client.task(.cancelTask, "Task/\(id)", as: "A20047", body: .object(accepted))
            #expect(notCancel.status == 422)

            // The practice accepts and starts it: now it cannot be cancelled.
            try await client.practice { tasks, practice, caller in
                _ = try await tasks.advance(id: id, to: .accepted, practice: practice, caller: caller, now: Date())
                _ = try await tasks.advance(id: id, to: .inProgress, practice: practice, caller: caller, now: Date())
            }
            let started = try await client.task(.cancelTask, "Task/\(id)", as: "A20047", body: body)
            #expect(started.status == 422)
            #expect(started.spineCode == "INVALID_RESOURCE")
            #expect(started.resource?.at("issue.diagnostics")?.string?.contains("started task cannot be cancelled") == true)
            let read = try await client.task(.readTask, "Task/\(id)", as: "A20047")
            #expect(read.resource?["status"]?.string == "in-progress")
            #expect(read.headers[.eTag] == "W/\"3\"")
        }
    }

    /// The workflow as the practice works it, and what the requester then reads.
    @Test func thePracticesTransitionsFollowTheWorkflow() async throws {
        try await TestServer.run { client in
            let first = try #require(try await client.createTask(as: "A20047")["id"]?.string)
            let second = try #require(try await client.createTask(as: "A20047")["id"]?.string)
            try await client.practice { tasks, practice, caller in
                let now = Date()
                for (from, to) in [(TaskStatus.requested, TaskStatus.inProgress), (.requested, .completed), (.requested, .cancelled)] {
                    await #expect(throws: GPConnectError.self, "\(from) → \(to)") {
                        try await tasks.advance(id: first, to: to, practice: practice, caller: caller, now: now)
                    }
                }
                await #expect(throws: GPConnectError.invalidResource("A reason is required to mark a task rejected")) {
                    try await tasks.advance(id: first, to: .rejected, practice: practice, caller: caller, now: now)
                }
                #expect(try await tasks.advance(id: first, to: .received, practice: practice, caller: caller, now: now).status == .received)
                #expect(try await tasks.advance(id: first, to: .accepted, practice: practice, caller: caller, now: now).status == .accepted)
                _ = try await tasks.addNote(id: first, text: "Booked for Tuesday", practice: practice, caller: caller, now: now)
                #expect(
                    try await tasks.advance(id: first, to: .inProgress, practice: practice, caller: caller, now: now).status == .inProgress)
                let done = try await tasks.advance(
                    id: first, to: .completed, output: "FBC taken, results to follow", practice: practice, caller: caller, now: now)
                #expect(done.history.map(\.action) == ["created", "received", "accepted", "noted", "in-progress", "completed"])
                #expect(done.history.last?.sdsUserID == "G13579135")
                await #expect(throws: GPConnectError.self, "a completed task is final") {
                    try await tasks.advance(id: first, to: .failed, reason: "x", practice: practice, caller: caller, now: now)
                }
                let rejected = try await tasks.advance(
                    id: second, to: .rejected, reason: "Patient has moved away", practice: practice, caller: caller, now: now)
                #expect(rejected.statusReason == "Patient has moved away")
                #expect(try await tasks.inbox(practice: practice, now: now).isEmpty, "nothing open is left")
            }
            let completed = try await client.task(.readTask, "Task/\(first)", as: "A20047")
            #expect(completed.resource?["status"]?.string == "completed")
            #expect(completed.resource?.at("output.valueString")?.string == "FBC taken, results to follow")
            #expect(completed.resource?["note"]?.items.count == 2)
            #expect(completed.resource?["statusReason"] == nil)
            let rejected = try await client.task(.readTask, "Task/\(second)", as: "A20047")
            #expect(rejected.resource?.at("statusReason.text")?.string == "Patient has moved away")
        }
    }

    @Test func theInboxPutsOverdueFirstThenPriorityThenDueDate() async throws {
        try await TestServer.run { client in
            let now = Date()
            func make(_ priority: TaskPriority, dueIn hours: Double) async throws -> String {
                let body = Client.taskBody(priority: priority) { body in
                    body["restriction"] = ["period": ["end": .string(ISO8601.instant(now.addingTimeInterval(hours * 3600)))]]
                }
                return try #require(try await client.createTask(body: body)["id"]?.string)
            }
            let routineSoon = try await make(.routine, dueIn: 2)
            let urgentLater = try await make(.urgent, dueIn: 48)
            let urgentSooner = try await make(.urgent, dueIn: 24)
            let asap = try await make(.asap, dueIn: 72)
            try await client.practice { tasks, practice, caller in
                // Three days on, the first three are overdue; the asap one is not yet.
                let later = now.addingTimeInterval(49 * 3600)
                let inbox = try await tasks.inbox(practice: practice, now: later).map(\.id)
                #expect(inbox == [urgentSooner, urgentLater, routineSoon, asap])
                #expect(try await tasks.inbox(practice: practice, now: now).map(\.id) == [asap, urgentSooner, urgentLater, routineSoon])
            }
        }
    }

    /// Two requesters racing on one task never both win: sixteen cancellations of one version,
    /// on separate connections, succeed exactly once.
    @Test(arguments: TaskBackend.configured)
    func concurrentCancellationsOfOneTaskSucceedOnce(_ backend: TaskBackend) async throws {
        try await backend.run { client in
            let task = try await client.createTask()  // from GPCA0001, as the pooled client is
            let id = try #require(task["id"]?.string)
            let body = FHIRJSON.encodeString(TaskCancellation(task: task.object ?? FHIRObject(), reason: "race").fhir)
            let outcomes = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<16 {
                    group.addTask { try await client.viaPool(.cancelTask, "Task/\(id)", body: body, ifMatch: "W/\"1\"") }
                }
                return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0.0 == 200 }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0.0 == 409 && $0.1 == "FHIR_CONSTRAINT_VIOLATION" }.count == 15, "\(outcomes)")
            let read = try await client.task(.readTask, "Task/\(id)")
            #expect(read.headers[.eTag] == "W/\"2\"")
            try await client.practice { tasks, practice, caller in
                let stored = try await tasks.task(id: id, practice: practice, caller: caller)
                #expect(stored.history.map(\.action) == ["created", "cancelled"])
            }
        }
    }

    @Test func interactionIdsAreThisProjectsOwnAndTheStatementDescribesTheProfile() async throws {
        for interaction in [Interaction.createTask, .readTask, .searchTasks, .cancelTask] {
            #expect(interaction.id.hasPrefix("urn:x-gpconnect-federation:names:services:gpconnect:fhir:rest:"))
            #expect(!interaction.id.hasPrefix("urn:nhs:"))
            #expect(Interaction(interactionID: interaction.id) == interaction)
        }
        #expect(Interaction.createTask.id == "urn:x-gpconnect-federation:names:services:gpconnect:fhir:rest:create:task-1")
        #expect(Interaction.bookAppointment.id == "urn:nhs:names:services:gpconnect:fhir:rest:create:appointment-1")
        try await TestServer.run { client in
            let statement = try #require(try await client.request(.readMetadata, "metadata").resource)
            let task = try #require(statement.at("rest")?["resource"]?.items.first { $0["type"]?.string == "Task" })
            #expect(task.at("profile.reference")?.string == Profile.federationTask)
            #expect(task["documentation"]?.string?.contains("not an NHS England interaction or profile") == true)
            #expect(task["interaction"]?.items.compactMap { $0["code"]?.string } == ["read", "create", "update", "search-type"])
            #expect(statement["profile"]?.items.contains { $0["reference"]?.string == Profile.federationTask } == true)
            // The NHS interaction ids are refused on the task routes.
            let nhs = try await client.task(
                .createTask, "Task", body: Client.taskBody(),
                headers: { $0[HTTPField.Name(HeaderName.interactionID)!] = "urn:nhs:names:services:gpconnect:fhir:rest:create:task-1" })
            #expect(nhs.status == 400)
        }
    }
}
