import FHIR
import GPConnectContract
import Hummingbird
import NIOCore
import Synchronization

/// The request context of every route: Hummingbird's core context plus what the pipeline has
/// learnt about the exchange so far.
///
/// ``exchange`` is a reference so that what a route learns (the format negotiated, the practice,
/// the interaction, who asked, the patient concerned) is still there when
/// ``GPConnectMiddleware`` renders and audits the outcome after the route returned or threw.
struct GPConnectRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let exchange: Exchange
    /// The connection, for the client certificate when it is TLS.
    let channel: any Channel

    init(source: Source) {
        coreContext = .init(source: source)
        exchange = Exchange()
        channel = source.channel
    }
}

/// The facts of one exchange, filled in by the pipeline as each step passes.
final class Exchange: Sendable {
    struct Facts: Sendable {
        /// A GP Connect route was entered (every such request is audited, served or refused).
        var routed = false
        var fhirVersion: FHIRVersion?
        /// The response encoding, once negotiated.
        var format: FHIRFormat?
        var practice: String?
        var interaction: Interaction?
        var requester: Requester?
        /// Logical id or NHS number of the patient concerned.
        var patient: String?
        /// The resource created or changed.
        var resource: String?
        /// The Spine code of the refusal, once answered (for the metrics).
        var spineCode: String?
    }

    private let state = Mutex(Facts())

    var facts: Facts { state.withLock { $0 } }

    func update(_ change: (inout Facts) -> Void) {
        state.withLock { change(&$0) }
    }
}
