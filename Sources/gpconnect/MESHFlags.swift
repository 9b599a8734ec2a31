import ArgumentParser
import Foundation
import GPConnectMESH

/// The MESH receiver's settings for `gpconnect serve`: flags, then environment variables, then
/// the configuration file's `mesh` object. No URL anywhere: no receiver.
struct MESHFlags: ParsableArguments {
    @Option(name: .long, help: "MESH API URL: run the Send Document receiver (env GPCONNECT_MESH_URL).")
    var meshURL: String?

    @Option(name: .long, help: "MESH environment shared key for the NHSMESH token (env GPCONNECT_MESH_SHARED_KEY).")
    var meshSharedKey: String?

    @Option(name: .long, help: "Seconds between polls of each mailbox (env GPCONNECT_MESH_POLL_SECONDS; default 300).")
    var meshPollSeconds: Double?

    @Option(
        name: .long,
        help: "Largest inbound message in bytes, before anything is parsed (env GPCONNECT_MESH_MAX_MESSAGE_BYTES; default 100 MiB).")
    var meshMaxMessageBytes: Int?

    @Option(
        name: .long,
        help: "A practice's mailbox, ODS=MAILBOX:PASSWORD; repeatable (env GPCONNECT_MESH_MAILBOXES, comma-separated).")
    var meshMailbox: [String] = []

    func settings(file: MESHSettings?) throws -> MESHSettings? {
        let environment = ProcessInfo.processInfo.environment
        guard let url = meshURL ?? environment["GPCONNECT_MESH_URL"] ?? file?.url else { return nil }
        guard let key = meshSharedKey ?? environment["GPCONNECT_MESH_SHARED_KEY"] ?? file?.sharedKey else {
            throw ValidationError("The MESH receiver needs a shared key (--mesh-shared-key or GPCONNECT_MESH_SHARED_KEY)")
        }
        var settings = file ?? MESHSettings(url: url, sharedKey: key)
        settings.url = url
        settings.sharedKey = key
        if let poll = meshPollSeconds ?? environment["GPCONNECT_MESH_POLL_SECONDS"].flatMap(Double.init) { settings.pollSeconds = poll }
        if let limit = meshMaxMessageBytes ?? environment["GPCONNECT_MESH_MAX_MESSAGE_BYTES"].flatMap(Int.init) {
            settings.maxMessageBytes = limit
        }
        let listed =
            meshMailbox.isEmpty ? (environment["GPCONNECT_MESH_MAILBOXES"]?.split(separator: ",").map(String.init) ?? []) : meshMailbox
        for entry in listed {
            let parts = entry.split(separator: "=", maxSplits: 1)
            let box = parts.count == 2 ? parts[1].split(separator: ":", maxSplits: 1) : []
            guard parts.count == 2, box.count == 2 else { throw ValidationError("A mailbox is ODS=MAILBOX:PASSWORD") }
            settings.mailboxes[String(parts[0]).uppercased()] = MESHMailbox(id: String(box[0]), password: String(box[1]))
        }
        guard settings.pollSeconds > 0 else { throw ValidationError("The MESH poll interval must be positive") }
        guard !settings.mailboxes.isEmpty else { throw ValidationError("The MESH receiver needs at least one mailbox") }
        return settings
    }
}
