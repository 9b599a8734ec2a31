import CoreMetrics
import Foundation
import GPConnect
import GPConnectContract
import GPConnectMESH
import GPConnectStorage
import GPConnectTLS
import HTTPTypes
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging

/// Builds the provider: opens (and if needed creates, migrates and seeds) the database, wires
/// the stores into the GP Connect service, and mounts the routes. Used by `gpconnect serve`, by
/// the tests and by the benchmark — there is no second wiring path.
public func buildApplication(configuration: ServerConfiguration) async throws -> some ApplicationProtocol {
    // TLS first: a bad certificate or key is reported before the database is opened.
    let scheme = configuration.tls == nil ? "http" : "https"
    let metrics = ServerMetrics()
    let layer = configuration.operationsLayer
    let http1 =
        layer ? GuardedHTTP1Channel.builder(limits: configuration.limits, connections: ConnectionCount(), metrics: metrics) : .http1()
    let server: HTTPServerBuilder =
        try configuration.tls.map { try HTTPServerBuilder.tls(http1, configuration: $0.channelConfiguration()) } ?? http1
    var logger = Logger(label: "gpconnect")
    logger.logLevel = configuration.logLevel
    let storage = try await Storage.open(configuration.databasePath, logger: logger, metrics: layer ? metrics.factory : nil)
    var measured = storage.stores
    if layer { measured.diary = MeasuredDiaryStore(base: measured.diary, metrics: metrics) }
    let stores = measured
    if configuration.seedWhenEmpty, let summary = try await storage.seedIfEmpty() {
        logger.info("Seeded reference data: \(summary)")
    }
    let log = logger
    let service = GPConnectService(stores: stores, identity: configuration.identity, documents: configuration.documents)
    for practice in try await stores.directory.practices() {
        try await service.diary.releaseIfNeeded(practice: practice.ods, now: Date())
    }
    let router = Router(context: GPConnectRequestContext.self)
    if layer { router.add(middleware: MetricsMiddleware(metrics: metrics)) }
    let audit: any AuditStore = layer ? MeasuredAuditStore(base: stores.audit, metrics: metrics) : stores.audit
    router.add(middleware: GPConnectMiddleware(audit: audit, logger: logger, tls: configuration.tls != nil))
    if layer, configuration.limits.rateLimitPerSecond > 0 {
        let limits = configuration.limits
        router.add(middleware: RateLimitMiddleware(limiter: RateLimiter(rate: limits.rateLimitPerSecond, burst: limits.rateLimitBurst)))
    }
    HealthRoutes().register(on: router)
    OperationsRoutes(metrics: metrics, storage: storage, softwareVersion: configuration.identity.softwareVersion).register(on: router)
    let practices = PracticeCache(directory: stores.directory, allowed: configuration.practices)
    FHIRRoutes(
        version: .stu3,
        pipeline: STU3Pipeline(
            practices: practices, maximumBodySize: configuration.maximumBodySize, publicBaseURL: configuration.publicBaseURL),
        service: service
    ).register(on: router)
    FHIRRoutes(
        version: .dstu2, pipeline: DSTU2Pipeline(practices: practices, maximumBodySize: configuration.maximumBodySize), service: service
    ).register(on: router)

    var app = Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            var served = try? await stores.directory.practices().map(\.ods)
            if !configuration.practices.isEmpty { served = served?.filter { configuration.practices.contains($0) } }
            for ods in served ?? [] {
                for capability in Capability.allCases {
                    log.notice(
                        "\(ods) \(capability.rawValue): \(scheme)://\(configuration.host):\(port)\(capability.serviceRoot(ods: ods))")
                }
            }
        },
        logger: logger
    )
    app.addServices(StorageService(storage: storage))
    if let mesh = configuration.mesh {
        let http = try mesh.makeHTTPClient()
        let receiver = MESHReceiver(
            client: MESHClient(url: mesh.url, sharedKey: mesh.sharedKey, httpClient: http), settings: mesh, stores: stores,
            documents: Documents(stores: stores, settings: configuration.documents), logger: logger,
            metrics: layer ? metrics.factory : NOOPMetricsHandler.instance)
        app.addServices(MESHReceiverService(receiver: receiver, http: http))
    }
    return app
}
