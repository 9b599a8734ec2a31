import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Raised into a request whose body did not arrive within the body-read deadline; the pipeline
/// answers it with 408.
struct RequestBodyTimeout: Error {}

/// The per-connection clock and the refusals of malformed heads, between the HTTP codec and
/// Hummingbird: a connection that sends nothing (new, or kept alive after a response) is closed
/// after the idle timeout; once a request's first byte arrives (``ByteActivityHandler``, below the
/// codec, reports it) its head must be complete within the header-read timeout (408, closed), and
/// its body within the body-read deadline (408 from the pipeline, closed); a request
/// target over the URL limit is answered 414, and a head the decoder refuses 431 (too large) or
/// 400, each as an OperationOutcome and then closed. While a request is being answered no clock runs.
final class RequestGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    enum Clock { case header, idle, body, grace }

    let limits: ServerLimits
    let metrics: ServerMetrics
    /// Requests whose head was read and whose response has not ended.
    private var inFlight = 0
    /// A request's head was read and its end not yet.
    private var readingBody = false
    /// This handler answered the connection itself: everything further is dropped.
    private var refused = false
    /// No byte of a next request has arrived since the connection opened or the last response ended.
    private var awaitingFirstByte = true
    /// Close once the response in flight has ended (after a body timeout).
    private var closeAfterResponse = false
    private var timer: Scheduled<Void>?

    init(limits: ServerLimits, metrics: ServerMetrics) {
        self.limits = limits
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { arm(.idle, context: context) }
    }

    /// The handler's context, for ``requestBytesArrived()`` (called by the byte handler on the same event loop).
    private var context: ChannelHandlerContext?

    /// The first byte of a request arrived: from now on its head has the header-read timeout.
    func requestBytesArrived() {
        guard awaitingFirstByte, inFlight == 0, !readingBody, !refused, let context else { return }
        awaitingFirstByte = false
        arm(.header, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        if timer == nil, inFlight == 0 { arm(awaitingFirstByte ? .idle : .header, context: context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let head):
            disarm()
            awaitingFirstByte = false
            if inFlight == 0, (head.path?.utf8.count ?? 0) > limits.maximumURILength {
                metrics.refusal("uri_too_long")
                refuse(.uriTooLong(path: String((head.path ?? "").prefix(256))), context: context)
                return
            }
            inFlight += 1
            readingBody = true
            arm(.body, context: context)
        case .body:
            break
        case .end:
            readingBody = false
            disarm()
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, inFlight == 0 else {
            context.fireErrorCaught(error)
            return
        }
        guard !refused else { return }
        metrics.refusal(parserError == .headerOverflow ? "header_too_large" : "malformed")
        refuse(parserError == .headerOverflow ? .headerTooLarge : .malformed, context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inFlight = max(0, inFlight - 1)
            if closeAfterResponse {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
                return
            }
            if inFlight == 0, !readingBody {
                awaitingFirstByte = true
                arm(.idle, context: context)
            }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ clock: Clock, context: ChannelHandlerContext) {
        disarm()
        let seconds: Double =
            switch clock {
            case .header: limits.headerReadTimeout
            case .idle: limits.idleTimeout
            case .body: limits.bodyReadTimeout
            case .grace: 2
            }
        let delay = TimeAmount.nanoseconds(Int64(seconds * 1_000_000_000))
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            timer = nil
            expired(clock, context: context)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }

    private func expired(_ clock: Clock, context: ChannelHandlerContext) {
        switch clock {
        case .header where inFlight == 0:
            metrics.refusal("header_timeout")
            refuse(.headerTimeout, context: context)
        case .body where readingBody:
            // Hummingbird is reading the body: the error reaches the pipeline, which answers 408
            // (audited like any refusal); the connection closes after that answer, or after a grace.
            metrics.refusal("body_timeout")
            closeAfterResponse = true
            context.fireErrorCaught(RequestBodyTimeout())
            arm(.grace, context: context)
        case .idle where inFlight == 0:
            metrics.refusal("idle_timeout")
            context.close(promise: nil)
        case .grace:
            context.close(promise: nil)
        case .header, .idle, .body:
            break
        }
    }

    /// Writes the refusal, closes the output, and closes the connection after a grace period if the
    /// client does not (closing at once could reset the connection before the answer is read).
    private func refuse(_ refusal: ConnectionRefusal, context: ChannelHandlerContext) {
        refused = true
        disarm()
        context.write(wrapOutboundOut(.head(HTTPResponse(status: refusal.status, headerFields: refusal.headers))), promise: nil)
        context.write(wrapOutboundOut(.body(refusal.body)), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { [self] _ in
            let halfClosed = context.eventLoop.makePromise(of: Void.self)
            context.close(mode: .output, promise: halfClosed)
            halfClosed.futureResult.assumeIsolated().whenFailure { _ in context.close(promise: nil) }
            arm(.grace, context: context)
        }
    }
}

@available(*, unavailable)
extension RequestGuardHandler: Sendable {}

/// Below the HTTP codec (above TLS): tells the connection's ``RequestGuardHandler`` when the bytes
/// of a request start to arrive, so that an idle connection and a half-sent head get different clocks.
final class ByteActivityHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let guardHandler: RequestGuardHandler

    init(guardHandler: RequestGuardHandler) {
        self.guardHandler = guardHandler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guardHandler.requestBytesArrived()
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension ByteActivityHandler: Sendable {}
