import ArgumentParser
import Foundation
import GPConnectClient
import GPConnectHub
import Hummingbird

/// `gpconnect hub`: the federation hub web application, and its users.
struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub", abstract: "Serve the federation hub: capacity, booking, the record and tasks across federated practices.",
        subcommands: [Run.self, Users.self], defaultSubcommand: Run.self)

    struct Options: ParsableArguments {
        @Option(name: .long, help: "The hub's own database (users, sessions, access log).") var hubDatabase = "data/hub.sqlite"
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Start the hub (the default).")
        @Option(
            name: .long,
            help:
                "Directory file: the JSON array of `consumer federated-slots`, or {\"consumer\": {asid, ods, name, telephone}, \"practices\": [...]}."
        )
        var directory: String
        @OptionGroup var options: Options
        @Option(name: .long, help: "Address to listen on.") var host = "127.0.0.1"
        @Option(name: .long, help: "Port to listen on.") var port = 9100
        @Flag(name: .long, help: "Mark the session cookie Secure (the hub is reached over HTTPS, e.g. behind a TLS proxy).")
        var secureCookies = false
        @Option(name: .long, help: "Minutes a session lasts without a request.") var sessionMinutes = 30
        @Option(name: .long, help: "Seconds each practice has to answer.") var deadline: Double = 5

        func run() async throws {
            let directory: HubDirectory
            do {
                directory = try HubDirectory.load(self.directory)
            } catch {
                throw ValidationError("Cannot read the directory \(self.directory): \(error.localizedDescription)")
            }
            let app = try await buildHubApplication(
                configuration: HubConfiguration(
                    host: host, port: port, databasePath: options.hubDatabase, directory: directory, secureCookies: secureCookies,
                    sessionLifetime: TimeInterval(sessionMinutes * 60), deadline: .milliseconds(Int(deadline * 1000))))
            if try await HubUsers.list(databasePath: options.hubDatabase).isEmpty {
                FileHandle.standardError.write(
                    Data("The hub has no users yet: add one with `gpconnect hub users add <username> …`.\n".utf8))
            }
            try await app.runService()
        }
    }

    struct Users: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "users", abstract: "The hub's local accounts.", subcommands: [Add.self, List.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a user (or change their password and details). The password is read from standard input.")
            @OptionGroup var options: Options
            @Argument(help: "Username to sign in with.") var username: String
            @Option(name: .long, help: "Name shown on pages and sent in the audit token.") var name: String
            @Option(name: .long, help: "The user's SDS user id (in every audit token sent on their behalf).") var sdsUserID: String
            @Option(name: .long, help: "The user's SDS role profile id.") var roleProfile: String?
            @Option(name: .long, help: "Their role at the hub (shown on pages).") var role = "Receptionist"

            func run() async throws {
                FileHandle.standardError.write(Data("Password (at least 8 characters), then Enter: ".utf8))
                guard let password = readLine(strippingNewline: true), password.count >= 8 else {
                    throw ValidationError("A password needs at least 8 characters.")
                }
                try await HubUsers.add(
                    databasePath: options.hubDatabase,
                    user: HubUser(username: username, displayName: name, sdsUserID: sdsUserID, roleProfileID: roleProfile, role: role),
                    password: password)
                print("User \(username) can sign in to the hub.")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the users.")
            @OptionGroup var options: Options

            func run() async throws {
                for user in try await HubUsers.list(databasePath: options.hubDatabase) {
                    print("\(user.username)  \(user.displayName)  SDS \(user.sdsUserID)  \(user.role)")
                }
            }
        }
    }
}
