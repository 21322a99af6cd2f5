// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "redis-infra",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RedisFactory", targets: ["RedisFactory"]),
        .library(name: "Topology", targets: ["Topology"]),
        .executable(name: "redis-infra", targets: ["redis-infra"]),
        .executable(name: "redis-healthcheck", targets: ["redis-healthcheck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
    ],
    targets: [
        // System libraries, installed by scripts/bootstrap.sh (Debian packages).
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // Headers only, no pkgConfig: its `--libs` would link libssl and libcrypto into every
        // binary; the factory loads them with dlopen at the first TLS connection instead.
        .systemLibrary(
            name: "COpenSSL",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.1",
            providers: [.apt(["liblua5.1-0-dev"])]
        ),
        // The stub's Lua glue that must be C: raising errors from a hook (longjmp).
        .target(name: "CStubLua", dependencies: ["CLua"]),
        // What every module shares, without Foundation: file reading with typed errors, JSON
        // quoting and number text, durations.
        .target(name: "InfraSupport"),

        // The client core: RESP, connections, typed commands, URL resolution, metrics, and a
        // connector that reaches only a real Redis. The health check links this alone.
        .target(
            name: "RedisClientCore",
            dependencies: [
                "InfraSupport",
                "CHiredis",
                "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // The in-memory Redis 7 (docs/stub.md), with Lua for its scripts.
        .target(name: "RedisStub", dependencies: ["RedisClientCore", "InfraSupport", "CLua", "CStubLua"]),
        // The factory callers use: the core, falling back to the stub unless told not to.
        .target(name: "RedisFactory", dependencies: ["RedisClientCore", "RedisStub"]),
        // YAML topology -> typed model, with located diagnostics. No I/O beyond reading input.
        .target(name: "Topology", dependencies: ["CYAML"]),
        // The health-check contract (roles, modes, flags): spelt by the generator, parsed by
        // redis-healthcheck. No dependencies.
        .target(name: "HealthCheckContract"),
        // Topology -> files: Compose overlays, node configs, health-check scripts, Terraform
        // modules, one folder per target. Pure, no I/O.
        .target(name: "Generators", dependencies: ["Topology", "HealthCheckContract", "InfraSupport"]),

        // Role-aware probes that judge what Redis answers; links the factory without fallback.
        .target(name: "HealthCheck", dependencies: ["RedisClientCore", "HealthCheckContract", "InfraSupport"]),
        .executableTarget(
            name: "redis-healthcheck",
            // No swift-argument-parser: its parse path would double the probe's footprint.
            dependencies: ["HealthCheck", "RedisClientCore", "HealthCheckContract", "InfraSupport", .product(name: "Logging", package: "swift-log")]
        ),

        // The stub served over RESP2 to clients in any language.
        .target(name: "StubServer", dependencies: ["RedisClientCore", "RedisStub", "InfraSupport", "CHiredis"]),
        .executableTarget(
            name: "redis-infra",
            dependencies: [
                "RedisFactory",
                "RedisStub",
                "StubServer",
                "Topology",
                "Generators",
                "InfraSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Benchmarks that compare against real anchors in the same run (docs/benchmarks.md).
        .executableTarget(
            name: "redis-infra-benchmarks",
            dependencies: ["RedisFactory", "RedisTestSupport", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/Sources"
        ),

        // Starts real redis-server processes on loopback for the test suites.
        .target(
            name: "RedisTestSupport",
            dependencies: ["RedisFactory"],
            path: "Sources/RedisTestSupport"
        ),
        .testTarget(
            name: "RedisFactoryTests",
            dependencies: [
                "RedisFactory", "RedisClientCore", "RedisStub", "RedisTestSupport", "Topology", .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .testTarget(name: "TopologyTests", dependencies: ["Topology", "Generators", "RedisTestSupport"]),
        .testTarget(name: "GeneratorsTests", dependencies: ["Generators", "Topology"]),
        .testTarget(name: "HealthCheckTests", dependencies: ["HealthCheck", "HealthCheckContract", "RedisTestSupport", "RedisFactory"]),
        .testTarget(
            name: "RedisInfraCLITests",
            dependencies: ["RedisTestSupport", "RedisFactory"]
        ),
        // The generated Compose deployments under a real Docker engine; scripts/test.sh runs
        // them alone, one after another, after the rest.
        .testTarget(name: "DeploymentTests", dependencies: ["RedisTestSupport"]),
    ]
)
