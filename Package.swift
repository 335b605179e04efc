// swift-tools-version:6.0
// credsync: the data-exchange gateway between a provincial IP office and the national platforms.
// No package dependencies: only the toolchain and system C libraries (libcurl, libcrypto, libsqlite3)
// through `C…` targets. Each module depends on what it uses and on nothing else (`ops/check-deps`
// fails on an edge not used or not declared). An edge points at what a module imports; no module
// imports one above it (names without `Credsync`):
//
//   credsync      credsync-bench (all of them)         credsync-sandbox
//      |                                                      |
//     CLI                                                  Sandbox
//      |                                                    |     |
//     Run ----------+------------------+                    |     |
//      |            |                  |                    |     |
// Reconciliation  Spool             Exchange --> CCurl      |     |
//   |     |  |      |                  |                    |     |
//   |     |  +---> State --> CSQLite   +----> Protocol <----+     |
//   |     |                                                       |
//   |  Mapping ---> Catalogs                                      |
//   |     |                                                       |
//   +--> Formats <------------------------------------------------+
//
// Under all of them CredsyncCore (errors, JSON, dates, logging, crypto via CCrypto, configuration),
// and under Core the underscored _CredsyncEngine (byte scans, byte-key table, thread pieces; CMalloc).
// Run and CLI also import the lower modules whose types they handle: the exact edges are below.
import PackageDescription

/// A wrong import fails the build: a module's members are visible only where it is imported, and
/// imports are internal unless a file's public API shows the module's types (`public import`).
let settings: [SwiftSetting] = [
    .enableUpcomingFeature("MemberImportVisibility"), .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "credsync",
    products: [
        .executable(name: "credsync", targets: ["credsync"]),
        .executable(name: "credsync-sandbox", targets: ["credsync-sandbox"]),
        .executable(name: "credsync-bench", targets: ["credsync-bench"]),
    ],
    targets: [
        // C libraries from the system, through module maps and shim headers only.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // glibc's allocator tuning (malloc.h), part of the C library itself.
        .systemLibrary(name: "CMalloc"),

        // Internal engine pieces under everything, and what every stage shares.
        .target(name: "_CredsyncEngine", dependencies: ["CMalloc"], swiftSettings: settings),
        .target(name: "CredsyncCore", dependencies: ["_CredsyncEngine", "CCrypto"], swiftSettings: settings),
        // The province's exports, and the mappings/ data with its rules; neither knows the other.
        .target(name: "CredsyncCatalogs", dependencies: ["CredsyncCore"], swiftSettings: settings),
        .target(name: "CredsyncFormats", dependencies: ["CredsyncCore", "_CredsyncEngine"], swiftSettings: settings),
        .target(
            name: "CredsyncMapping",
            dependencies: ["CredsyncCore", "_CredsyncEngine", "CredsyncCatalogs", "CredsyncFormats"],
            swiftSettings: settings),
        // The state store, <stateDir>/credsync.db.
        .target(name: "CredsyncState", dependencies: ["CredsyncCore", "CSQLite"], swiftSettings: settings),
        .target(
            name: "CredsyncReconciliation",
            dependencies: ["CredsyncCore", "_CredsyncEngine", "CredsyncFormats", "CredsyncMapping", "CredsyncState"],
            swiftSettings: settings),
        // The exchange interface as values, and its clients over libcurl.
        .target(name: "CredsyncProtocol", dependencies: ["CredsyncCore"], swiftSettings: settings),
        .target(
            name: "CredsyncExchange", dependencies: ["CredsyncCore", "_CredsyncEngine", "CredsyncProtocol", "CCurl"],
            swiftSettings: settings),
        .target(name: "CredsyncSpool", dependencies: ["CredsyncCore", "CredsyncState"], swiftSettings: settings),
        .target(
            name: "CredsyncRun",
            dependencies: [
                "CredsyncCore", "_CredsyncEngine", "CredsyncCatalogs", "CredsyncFormats", "CredsyncMapping",
                "CredsyncState", "CredsyncReconciliation", "CredsyncProtocol", "CredsyncExchange", "CredsyncSpool",
            ],
            swiftSettings: settings),
        .target(
            name: "CredsyncCLI",
            dependencies: [
                "CredsyncCore", "CredsyncCatalogs", "CredsyncFormats", "CredsyncMapping", "CredsyncState",
                "CredsyncReconciliation", "CredsyncProtocol", "CredsyncExchange", "CredsyncSpool", "CredsyncRun",
            ],
            swiftSettings: settings),
        // The national platforms' other side: the protocol and the formats only.
        .target(
            name: "CredsyncSandbox", dependencies: ["CredsyncCore", "CredsyncProtocol", "CredsyncFormats"],
            swiftSettings: settings),
        // Realistic generated exports, for the benchmarks and the differential tests.
        .target(name: "CredsyncBenchData", dependencies: ["CredsyncCore"], swiftSettings: settings),

        // Thin executables.
        .executableTarget(
            name: "credsync", dependencies: ["CredsyncCore", "_CredsyncEngine", "CredsyncCLI"],
            swiftSettings: settings),
        .executableTarget(name: "credsync-sandbox", dependencies: ["CredsyncSandbox"], swiftSettings: settings),
        .executableTarget(
            name: "credsync-bench",
            dependencies: [
                "CredsyncCore", "_CredsyncEngine", "CredsyncCatalogs", "CredsyncFormats", "CredsyncMapping",
                "CredsyncState", "CredsyncReconciliation", "CredsyncProtocol", "CredsyncExchange", "CredsyncSpool",
                "CredsyncSandbox", "CredsyncCLI", "CredsyncBenchData",
            ],
            swiftSettings: settings),

        // Helpers the tests share: running the real binaries, the sandbox, temporary directories.
        .target(
            name: "TestSupport", dependencies: ["CredsyncCore", "CredsyncProtocol", "CredsyncExchange"],
            path: "Tests/TestSupport", swiftSettings: settings),
        .testTarget(name: "_CredsyncEngineTests", dependencies: ["_CredsyncEngine"], swiftSettings: settings),
        .testTarget(
            name: "CredsyncCoreTests", dependencies: ["CredsyncCore", "_CredsyncEngine"], swiftSettings: settings),
        .testTarget(
            name: "CredsyncCatalogsTests", dependencies: ["CredsyncCore", "CredsyncCatalogs", "TestSupport"],
            swiftSettings: settings),
        .testTarget(
            name: "CredsyncFormatsTests", dependencies: ["CredsyncCore", "CredsyncFormats", "TestSupport"],
            swiftSettings: settings),
        .testTarget(
            name: "CredsyncMappingTests",
            dependencies: [
                "CredsyncCore", "CredsyncCatalogs", "CredsyncFormats", "CredsyncMapping", "TestSupport",
                "CredsyncBenchData",
            ],
            swiftSettings: settings),
        .testTarget(
            name: "CredsyncReconciliationTests",
            dependencies: [
                "CredsyncCore", "CredsyncCatalogs", "CredsyncFormats", "CredsyncMapping", "CredsyncState",
                "CredsyncReconciliation", "TestSupport",
            ],
            swiftSettings: settings),
        .testTarget(
            name: "CredsyncRunTests", dependencies: ["CredsyncCore", "CredsyncReconciliation", "CredsyncRun"],
            swiftSettings: settings),
        .testTarget(name: "CredsyncCLITests", dependencies: ["CredsyncCore", "CredsyncCLI"], swiftSettings: settings),
        .testTarget(
            name: "CredsyncExchangeTests",
            dependencies: ["CredsyncCore", "CredsyncProtocol", "CredsyncExchange", "CredsyncSandbox", "TestSupport"],
            swiftSettings: settings),
        .testTarget(
            name: "CredsyncProtocolTests", dependencies: ["CredsyncCore", "CredsyncProtocol"], swiftSettings: settings),
        .testTarget(
            name: "CredsyncSandboxTests", dependencies: ["CredsyncCore", "TestSupport"], swiftSettings: settings),
        .testTarget(
            name: "CredsyncSpoolTests",
            dependencies: ["CredsyncCore", "CredsyncState", "CredsyncSpool", "TestSupport"],
            swiftSettings: settings),
        .testTarget(
            name: "CredsyncStateTests", dependencies: ["CredsyncCore", "CredsyncState", "TestSupport"],
            swiftSettings: settings),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "CredsyncCore", "CredsyncProtocol", "CredsyncExchange", "CredsyncReconciliation", "CredsyncState",
                "TestSupport", "CredsyncCLI", "CredsyncBenchData",
            ],
            swiftSettings: settings),
    ]
)
