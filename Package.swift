// swift-tools-version:6.0
// credsync: the data-exchange gateway between a provincial IP office and the national platforms.
// The pipeline's direction is written here: catalogs → mapping → publicity → reconciliation →
// exchange → spool → run. A lower stage never imports a higher one. No package dependencies:
// only the toolchain and system C libraries (libcurl, libcrypto, libsqlite3) through `C…` targets.
import PackageDescription

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

        // The pipeline, one module per stage.
        .target(name: "CredsyncCore", dependencies: ["CCrypto", "CMalloc"]),
        .target(name: "CredsyncCatalogs", dependencies: ["CredsyncCore"]),
        .target(name: "CredsyncMapping", dependencies: ["CredsyncCatalogs"]),
        .target(name: "CredsyncPublicity", dependencies: ["CredsyncMapping"]),
        .target(name: "CredsyncReconciliation", dependencies: ["CredsyncPublicity", "CredsyncState"]),
        .target(name: "CredsyncExchange", dependencies: ["CredsyncReconciliation", "CCurl"]),
        .target(name: "CredsyncSpool", dependencies: ["CredsyncExchange", "CredsyncState"]),
        .target(name: "CredsyncRun", dependencies: ["CredsyncSpool", "CredsyncState"]),
        .target(name: "CredsyncCLI", dependencies: ["CredsyncRun", "CredsyncState"]),
        // The state store, <stateDir>/credsync.db.
        .target(name: "CredsyncState", dependencies: ["CredsyncCore", "CSQLite"]),
        .target(name: "CredsyncSandbox", dependencies: ["CredsyncExchange"]),
        // Realistic generated exports, for the benchmarks and the differential tests.
        .target(name: "CredsyncBenchData", dependencies: ["CredsyncCore"]),

        // Thin executables.
        .executableTarget(name: "credsync", dependencies: ["CredsyncCLI"]),
        .executableTarget(name: "credsync-sandbox", dependencies: ["CredsyncSandbox"]),
        .executableTarget(
            name: "credsync-bench",
            dependencies: ["CredsyncRun", "CredsyncSandbox", "CredsyncCLI", "CredsyncState", "CredsyncBenchData"]),

        // Helpers the tests share: running the real binaries, the sandbox, temporary directories.
        .target(name: "TestSupport", dependencies: ["CredsyncExchange"], path: "Tests/TestSupport"),
        .testTarget(name: "CredsyncCoreTests", dependencies: ["CredsyncCore"]),
        .testTarget(
            name: "CredsyncMappingTests", dependencies: ["CredsyncMapping", "TestSupport", "CredsyncBenchData"]),
        .testTarget(name: "CredsyncReconciliationTests", dependencies: ["CredsyncReconciliation", "TestSupport"]),
        .testTarget(name: "CredsyncCLITests", dependencies: ["CredsyncCLI"]),
        .testTarget(
            name: "CredsyncExchangeTests", dependencies: ["CredsyncExchange", "TestSupport", "CredsyncSandbox"]),
        .testTarget(name: "CredsyncSpoolTests", dependencies: ["CredsyncSpool", "TestSupport"]),
        .testTarget(name: "CredsyncStateTests", dependencies: ["CredsyncState", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "CredsyncCLI", "CredsyncBenchData"]),
    ]
)
