// swift-tools-version: 6.0
import PackageDescription

/// The linker flags for a binary that carries the Swift runtime and Foundation. `swift
/// build -Xswiftc -static-stdlib` would compile every module differently (a second full
/// build); as the executable's link flag alone it needs Foundation's static libraries
/// named, in one group since they refer to each other.
let staticStdlib = ["-static-stdlib", "-Xlinker", "--start-group"]
    + ["Foundation", "FoundationEssentials", "FoundationInternationalization", "CoreFoundation",
       "_FoundationICU", "_FoundationCShims", "_FoundationCollections", "swiftSynchronization", "stdc++"]
        .flatMap { ["-Xlinker", "-l\($0)"] }
    + ["-Xlinker", "--end-group"]

let package = Package(
    name: "fkbackfill",
    products: [
        .executable(name: "fkbackfill", targets: ["fkbackfill"]),
        .library(name: "FKBackfill", targets: ["FKBackfill"]),
        .library(name: "PostgresClient", targets: ["PostgresClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // libpq as Swift sees it; shim.h re-exports what the importer drops (macros).
        .systemLibrary(
            name: "CLibPQ",
            path: "Sources/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // A small blocking libpq client: connection, results, COPY, typed errors.
        .target(
            name: "PostgresClient",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The core: catalog → graph → rules → plan → execution → report.
        .target(
            name: "FKBackfill",
            dependencies: [
                "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The thin command line: parses arguments, calls FKBackfill, prints.
        .executableTarget(
            name: "fkbackfill",
            dependencies: [
                "FKBackfill",
                "PostgresClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The Swift runtime and Foundation linked in, in every configuration: the
            // binary needs only libpq and the C library, and `make test` packages its
            // debug build (one build, not a second release one) to test the install.
            linkerSettings: [.unsafeFlags(staticStdlib, .when(platforms: [.linux]))],
            plugins: ["BuildInfo"]
        ),
        // The 20-line program of the getting-started article: a load embedded in Swift.
        // Built with everything else, and run by the integration tests.
        .executableTarget(
            name: "embed-load",
            dependencies: ["FKBackfill", "PostgresClient"],
            path: "examples/embedding"
        ),
        // Records the git commit for `fkbackfill --version` (see Plugins/BuildInfo).
        .plugin(name: "BuildInfo", capability: .buildTool()),
        // Throwaway schemas on the test cluster that `make test` starts.
        .target(
            name: "TestSupport",
            dependencies: ["PostgresClient", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "PostgresClientTests",
            dependencies: ["PostgresClient", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "FKBackfillTests",
            dependencies: ["FKBackfill", "PostgresClient", "TestSupport"]
        ),
        // Against a Citus coordinator with two workers (`make test-citus`, docs/scale-out.md);
        // `make test` skips them.
        .testTarget(
            name: "FKBackfillCitusTests",
            dependencies: ["FKBackfill", "PostgresClient", "TestSupport"]
        ),
        // Pure code (planner, rules parser, CSV, renderers) on in-memory models: no
        // database, so `make unit` runs it in seconds anywhere.
        .testTarget(
            name: "FKBackfillUnitTests",
            dependencies: ["FKBackfill", "PostgresClient"],
            // The golden SQL files are read by path and rewritten by FKB_UPDATE_GOLDEN=1.
            exclude: ["Golden"]
        ),
    ]
)
