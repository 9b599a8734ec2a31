// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "gpconnect",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gpconnect", targets: ["gpconnect"]),
        .library(name: "FHIR", targets: ["FHIR"]),
        .library(name: "GPConnectContract", targets: ["GPConnectContract"]),
        .library(name: "GPConnect", targets: ["GPConnect"]),
        .library(name: "GPConnectServer", targets: ["GPConnectServer"]),
        .library(name: "GPConnectStorage", targets: ["GPConnectStorage"]),
        .library(name: "GPConnectClient", targets: ["GPConnectClient"]),
        .library(name: "GPConnectMESH", targets: ["GPConnectMESH"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
        // Already in the graph through async-http-client and postgres-nio; the audit chain's SHA-256.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // TLS with client certificates (already in the graph through async-http-client), and the
        // certificate checks swift-nio-ssl leaves to the application: chain, dates, usage, revocation.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // The federation hub's pages (logic-less templates) and its users' password hashes (bcrypt).
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        // HTTP/1 parts as swift-http-types (already in the graph through Hummingbird): the server's connection guard.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // Operations: the server's metrics through swift-metrics, exposed in Prometheus text format on /metrics.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        // Property-based tests of the readers and parsers (tests only; no dependencies of its own).
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // FHIR STU3 element tree with its JSON and XML encodings. No GP Connect knowledge.
        .target(name: "FHIR", swiftSettings: strict),
        // What provider and consumer agree on: interactions (one exhaustive table), service roots by
        // FHIR version, Spine header names, the audit JWT, the error catalogue, profile and
        // identifier URLs, NHS numbers, FHIR and UK dates. Shared by the provider, the client, the
        // benchmark and the tests.
        .target(name: "GPConnectContract", dependencies: ["FHIR"], swiftSettings: strict),
        // GP Connect domain: the capabilities' use cases, records and their FHIR renderings, and the
        // store protocols (ports). Imports no web framework and no database driver.
        .target(
            name: "GPConnect", dependencies: ["FHIR", "GPConnectContract", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // The reference data set the conformance pack expects, as data files, loaded through the store protocols.
        .target(
            name: "GPConnectSeed", dependencies: ["FHIR", "GPConnect", "GPConnectContract"], resources: [.copy("Data")],
            swiftSettings: strict),
        // The store protocols implemented once in SQL, over a small `SQLDatabase` seam.
        // Migrations are one set of numbered SQL files that both dialects accept.
        .target(
            name: "GPConnectSQL", dependencies: ["GPConnect", "GPConnectContract"], resources: [.copy("Migrations")], swiftSettings: strict),
        // SQLite backend: the embedded default.
        .target(
            name: "GPConnectSQLite",
            dependencies: [
                "GPConnect", "GPConnectContract", "GPConnectSQL",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // PostgreSQL backend: several instances sharing one database.
        .target(
            name: "GPConnectPostgres",
            dependencies: [
                "GPConnect", "GPConnectContract", "GPConnectSQL",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The composition root of storage: opens SQLite or PostgreSQL, migrates, seeds, hands out the ports.
        .target(
            name: "GPConnectStorage",
            dependencies: [
                "GPConnect", "GPConnectContract", "GPConnectSQL", "GPConnectSQLite", "GPConnectPostgres", "GPConnectSeed",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // Server-side TLS: the configuration (TLS 1.2/1.3, the spec's ciphers, client certificates
        // required) and the client certificate checks, shared by the provider and the SSP emulator.
        .target(
            name: "GPConnectTLS",
            dependencies: [
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        // Consumer side: a client for any GP Connect provider. Knows the contract, never the server.
        .target(
            name: "GPConnectClient",
            dependencies: [
                "FHIR", "GPConnectContract",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // MESH API client (v2): NHSMESH tokens, handshake, inbox paging, chunked and gzipped
        // downloads and sends, acknowledgement, tracking. For the receiver and the consumer alike.
        .target(
            name: "GPConnectMESH",
            dependencies: [
                "FHIR", "GPConnectContract", "GPConnectClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Load benchmark: scenarios, the measuring loop and requests built from the contract alone.
        .target(
            name: "GPConnectBench",
            dependencies: [
                "FHIR", "GPConnectContract", "GPConnectMESH",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // A Spine Secure Proxy emulator: directory, checks, the SSP's OperationOutcomes, streaming forwarding over mTLS.
        .target(
            name: "GPConnectSSP",
            dependencies: [
                "FHIR", "GPConnectContract", "GPConnectClient", "GPConnectTLS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Hummingbird application: the request pipeline and the route collections.
        .target(
            name: "GPConnectServer",
            dependencies: [
                "FHIR", "GPConnect", "GPConnectContract", "GPConnectStorage", "GPConnectTLS",
                "GPConnectMESH",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // The federation hub: a web application for hub staff on the consumer library (never the provider's domain or stores).
        .target(
            name: "GPConnectHub",
            dependencies: [
                "FHIR", "GPConnectContract", "GPConnectClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Templates"), .copy("Static")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "gpconnect",
            dependencies: [
                "FHIR", "GPConnect", "GPConnectServer", "GPConnectStorage", "GPConnectClient", "GPConnectContract", "GPConnectBench",
                "GPConnectSSP", "GPConnectTLS", "GPConnectMESH", "GPConnectHub",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Shared by the test targets: a real PostgreSQL for the tests that need one.
        .target(
            name: "GPConnectTestSupport", dependencies: ["GPConnect", "GPConnectContract", "GPConnectSQL", "GPConnectPostgres"],
            path: "Tests/Support",
            swiftSettings: strict),
        .testTarget(
            name: "FHIRTests", dependencies: ["FHIR", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict),
        .testTarget(
            name: "GPConnectTests",
            dependencies: [
                "FHIR", "GPConnect", "GPConnectContract", "GPConnectSeed", "GPConnectSQL", "GPConnectSQLite", "GPConnectPostgres",
                "GPConnectTestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "FHIR", "GPConnectServer", "GPConnect", "GPConnectContract", "GPConnectStorage", "GPConnectSQL", "GPConnectSQLite",
                "GPConnectSeed", "GPConnectPostgres", "GPConnectTestSupport", "GPConnectClient", "GPConnectTLS", "GPConnectSSP",
                "GPConnectMESH",
                "GPConnectHub",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: [
                "validate_stu3.py", "validate_xhtml.py", "fhirpy_consumer.py", "Golden", "Profiles/profiles.json", "Hub/hub_browser.py",
            ],
            swiftSettings: strict
        ),
    ]
)
