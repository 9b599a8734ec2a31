import FHIR
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A plain TCP connection to the test server that writes exactly the bytes given (half a request,
/// an oversized head, garbage) and keeps whatever the server answers until it closes.
final class RawConnection: Sendable {
    let channel: any Channel
    private let received: ReceivedBytes

    private init(channel: any Channel, received: ReceivedBytes) {
        self.channel = channel
        self.received = received
    }

    static func open(port: Int) async throws -> RawConnection {
        let received = ReceivedBytes()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received: received)) }
            }
            .connect(host: "localhost", port: port).get()
        return RawConnection(channel: channel, received: received)
    }

    /// One request with `Connection: close`, answered and closed.
    static func get(port: Int, _ path: String, within seconds: Double = 10) async throws -> RawConnection {
        let connection = try await open(port: port)
        // A server that refuses at once may have closed before the request is written: its answer is still read.
        try? await connection.send("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        _ = await connection.closed(within: seconds)
        return connection
    }

    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    var isOpen: Bool { channel.isActive }

    /// Waits until the server has closed the connection; false if it is still open at the deadline.
    func closed(within seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while channel.isActive, Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return !channel.isActive
    }

    func close() async {
        try? await channel.close().get()
    }

    var text: String { String(decoding: received.bytes.withLock { $0 }, as: UTF8.self) }

    /// The status code of the first response received, if any.
    var status: Int? {
        let line = text.split(separator: "\r\n", maxSplits: 1).first ?? ""
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1.") else { return nil }
        return Int(parts[1])
    }

    /// A header of the first response (case-insensitive name).
    func header(_ name: String) -> String? {
        let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
        for line in head.components(separatedBy: "\r\n").dropFirst() {
            let pair = line.split(separator: ":", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == name.lowercased() { return pair[1].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    /// The Spine code of the OperationOutcome in the first response's body.
    var spineCode: String? {
        guard let range = text.range(of: "\r\n\r\n") else { return nil }
        let body = Array(text[range.upperBound...].utf8)
        let resource = try? FHIRJSON.decode(body)
        return resource?["issue"]?.items.first?["details"]?["coding"]?.items.first?["code"]?.string
    }
}

final class ReceivedBytes: Sendable {
    let bytes = Mutex<[UInt8]>([])
}

private final class Collector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let received: ReceivedBytes

    init(received: ReceivedBytes) {
        self.received = received
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        received.bytes.withLock { $0.append(contentsOf: buffer.readableBytesView) }
    }
}
