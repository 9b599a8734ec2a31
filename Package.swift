// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "gpconnect",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gpconnect", targets: ["gpconnect"]),
        .library(name: "FHIR", targets: ["FHIR"]),
        .library(name: "GPConnect", targets: ["GPConnect"]),
        .library(name: "GPConnectServer", targets: ["GPConnectServer"]),
        .library(name: "GPConnectClient", targets: ["GPConnectClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
    ],
    targets: [
        // FHIR STU3 element tree with its JSON and XML encodings. No GP Connect knowledge.
        .target(name: "FHIR", swiftSettings: strict),
        // GP Connect domain: interactions, Spine headers, audit JWT, error catalogue, resources,
        // and the store protocols (ports). Imports no web framework and no database driver.
        .target(name: "GPConnect", dependencies: ["FHIR"], swiftSettings: strict),
        // Reference data set (test-data.md) as data files, loaded through the store protocols.
        .target(name: "GPConnectSeed", dependencies: ["GPConnect"], resources: [.copy("Data")], swiftSettings: strict),
        // The store protocols implemented once in SQL, over a small `SQLDatabase` seam.
        // Migrations are one set of numbered SQL files that both dialects accept.
        .target(name: "GPConnectSQL", dependencies: ["GPConnect"], resources: [.copy("Migrations")], swiftSettings: strict),
        // SQLite backend: the embedded default.
        .target(
            name: "GPConnectSQLite",
            dependencies: [
                "GPConnect", "GPConnectSQL",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // PostgreSQL backend: several instances sharing one database.
        .target(
            name: "GPConnectPostgres",
            dependencies: [
                "GPConnect", "GPConnectSQL",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Consumer side: a client for any GP Connect provider. Knows the contract, never the server.
        .target(
            name: "GPConnectClient",
            dependencies: [
                "FHIR", "GPConnect",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Hummingbird application: the request pipeline and the route collections.
        .target(
            name: "GPConnectServer",
            dependencies: [
                "GPConnect", "GPConnectSQL", "GPConnectSQLite", "GPConnectPostgres", "GPConnectSeed",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "gpconnect",
            dependencies: [
                "GPConnectServer", "GPConnectClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        // Shared by the test targets: a real PostgreSQL for the tests that need one.
        .target(
            name: "GPConnectTestSupport", dependencies: ["GPConnect", "GPConnectSQL", "GPConnectPostgres"], path: "Tests/Support",
            swiftSettings: strict),
        .testTarget(name: "FHIRTests", dependencies: ["FHIR"], swiftSettings: strict),
        .testTarget(
            name: "GPConnectTests",
            dependencies: ["GPConnect", "GPConnectSeed", "GPConnectSQL", "GPConnectSQLite", "GPConnectPostgres", "GPConnectTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "GPConnectServer", "GPConnectSQL", "GPConnectSQLite", "GPConnectSeed", "GPConnectTestSupport", "GPConnectClient",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            exclude: ["validate_stu3.py", "fhirpy_consumer.py", "Golden"],
            swiftSettings: strict
        ),
    ]
)
