import ArgumentParser

/// `gpconnect`: the provider server and its tools.
@main
struct GPConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpconnect",
        abstract: "A GP Connect (FHIR STU3) provider for one or many GP practices.",
        subcommands: [
            Serve.self, Database.self, Seed.self, DiaryCommand.self, DocumentsCommand.self, TasksCommand.self, ClinicalAreas.self,
            Audit.self, ConsumerCommand.self, Token.self, Bench.self, SSPCommand.self,
            InboxCommand.self, BenchSendDocument.self,
            HubCommand.self,
        ],
        defaultSubcommand: Serve.self
    )
}
