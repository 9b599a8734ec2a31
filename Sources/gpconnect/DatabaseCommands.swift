import ArgumentParser
import Foundation
import GPConnect
import GPConnectContract
import GPConnectServer
import GPConnectStorage

/// `gpconnect db …`: database maintenance.
struct Database: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "db", abstract: "Database maintenance.", subcommands: [Migrate.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the database if needed and apply pending migrations.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let location = try common.serverConfiguration().databasePath
            // Opening applies every pending migration (numbered SQL files per dialect).
            let storage = try await Storage.open(location)
            let versions = try await storage.schemaVersions()
            await storage.close()
            for (version, name) in versions { print("\(version)\t\(name)") }
            print("\(storage.description): schema up to date")
        }
    }
}

/// `gpconnect seed`: load the reference data set.
struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load the conformance pack's reference data set. Existing patients are kept.")

    @OptionGroup var common: CommonOptions

    @Option(
        name: .long,
        help:
            "Also register a synthetic patient (NHS \(Storage.longRecordNHSNumber)) whose record has this many consultations (~8 items each)."
    )
    var longRecord: Int?

    @Option(name: .long, help: "Practice for --long-record.")
    var practice = "B82617"

    @OptionGroup var population: PopulationOptions

    func run() async throws {
        let path = try common.serverConfiguration().databasePath
        let storage = try await Storage.open(path)
        let stores = storage.stores
        do {
            let summary = try await storage.seedReferenceData()
            print("\(path): seeded \(summary)")
            if let longRecord {
                guard let target = try await stores.directory.practice(ods: practice) else {
                    throw ValidationError("No practice \(practice) in \(path)")
                }
                let count = try await storage.seedLongRecord(practice: target, consultations: longRecord)
                print("\(practice): patient \(Storage.longRecordNHSNumber) has a record of \(count) clinical items")
            }
            if population.population != nil { try await population.run(storage: storage, path: storage.description) }
        } catch {
            await storage.close()
            throw error
        }
        await storage.close()
    }
}

/// `gpconnect audit`: read and verify the audit trail.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the audit trail and verify its hash chain.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Show entries after this sequence number.")
    var after: Int64 = 0

    @Option(name: .long, help: "Show at most this many entries.")
    var limit: Int = 50

    @Flag(name: .long, help: "Verify the whole chain instead of listing.")
    var verify = false

    func run() async throws {
        let path = try common.serverConfiguration().databasePath
        let storage = try await Storage.open(path)
        defer { Task { await storage.close() } }
        let store = storage.stores.audit
        if verify {
            var previous = AuditEntry.genesisHash
            var sequence: Int64 = 0
            var count = 0
            while true {
                let page = try await store.entries(after: sequence, limit: 1000)
                if page.isEmpty { break }
                if let broken = AuditEntry.firstBroken(page, previousHash: previous) {
                    print("audit chain BROKEN at sequence \(broken)")
                    throw ExitCode(2)
                }
                previous = page[page.count - 1].hash
                sequence = page[page.count - 1].sequence
                count += page.count
            }
            print("audit chain intact: \(count) entries, head \(previous)")
            return
        }
        for entry in try await store.entries(after: after, limit: limit) {
            let event = entry.event
            let who = [event.requester?.sdsUserID, event.requester?.organizationODS].compactMap { $0 }.joined(separator: "@")
            let interaction = event.interaction?.split(separator: ":").suffix(2).joined(separator: ":") ?? "(unrouted)"
            print(
                "\(entry.sequence)\t\(event.time)\t\(event.practice ?? "-")\t\(interaction)\t\(event.status)\t\(event.spineCode ?? "OK")\t"
                    + "\(who.isEmpty ? "-" : who)\t\(event.patient ?? "-")\t\(event.traceID ?? "-")")
        }
    }
}
