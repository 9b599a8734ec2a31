import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The number of connections open now, shared by every connection of one server.
final class ConnectionCount: Sendable {
    private let open = Atomic<Int>(0)

    /// Counts a new connection in and returns how many are open with it.
    func opened() -> Int { open.wrappingAdd(1, ordering: .relaxed).newValue }

    /// Counts a connection out and returns how many remain open.
    @discardableResult
    func closed() -> Int { open.wrappingSubtract(1, ordering: .relaxed).newValue }

    var current: Int { open.load(ordering: .relaxed) }
}

/// Hummingbird's HTTP/1.1 child channel with the server's connection limits: a cap on open
/// connections (one more is answered 503 and closed, rather than left waiting in the accept
/// queue as Hummingbird's own cap does), the decoder's header limits, and a ``RequestGuardHandler``
/// for timeouts and refusals of malformed heads. Wrapped by TLS like the plain channel.
struct GuardedHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let limits: ServerLimits
    let connections: ConnectionCount
    let metrics: ServerMetrics

    /// A server builder for `Application(server:)`.
    static func builder(limits: ServerLimits, connections: ConnectionCount, metrics: ServerMetrics) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GuardedHTTP1Channel(responder: responder, limits: limits, connections: connections, metrics: metrics)
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let count = connections.opened()
        let connections = connections
        let metrics = metrics
        metrics.connections(count)
        channel.closeFuture.whenComplete { _ in metrics.connections(connections.closed()) }
        if count > limits.maximumConnections {
            metrics.refusal("connection_limit")
            do {
                try channel.pipeline.syncOperations.addHandler(ConnectionRefusalHandler(refusal: .tooManyConnections))
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
        }
        let guardHandler = RequestGuardHandler(limits: limits, metrics: metrics)
        do {
            try channel.pipeline.syncOperations.addHandler(ByteActivityHandler(guardHandler: guardHandler))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        // Set up on this event loop, as HTTP1Channel calls the handlers' closure synchronously.
        let bound = NIOLoopBound(guardHandler, eventLoop: channel.eventLoop)
        let configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [bound.value], idleTimeout: nil,
            httpDecoderConfiguration: .init(maxHeaderFieldSize: limits.maximumHeaderBytes, maxHeaderListSize: limits.maximumHeaderBytes))
        return HTTP1Channel(responder: responder, configuration: configuration).setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}

/// Sits in front of the HTTP codec of a connection over the cap: answers 503 at once, drops
/// whatever the client sends, and closes.
final class ConnectionRefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let refusal: ConnectionRefusal
    private var answered = false

    init(refusal: ConnectionRefusal) {
        self.refusal = refusal
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { answer(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        answer(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func answer(context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(refusal.http1Bytes), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in
            let halfClosed = context.eventLoop.makePromise(of: Void.self)
            context.close(mode: .output, promise: halfClosed)
            halfClosed.futureResult.assumeIsolated().whenFailure { _ in context.close(promise: nil) }
            context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(2)) { context.close(promise: nil) }
        }
    }
}

@available(*, unavailable)
extension ConnectionRefusalHandler: Sendable {}
