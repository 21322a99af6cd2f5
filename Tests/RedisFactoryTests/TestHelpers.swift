import Logging
import RedisTestSupport
import Synchronization
@testable import RedisClientCore
@testable import RedisFactory
@testable import RedisStub

/// A unique label per test, so tests running in parallel never share metric series.
func uniqueContext(_ name: String = #function) -> String {
    "test-\(name.prefix(while: { $0 != "(" }))-\(UInt32.random(in: 0...UInt32.max))"
}

/// Options for a test: its own metrics registry and a logger whose messages it can read.
func testOptions(
    metrics: RedisMetrics = RedisMetrics(),
    logs: LogCapture = LogCapture(),
    connectTimeout: Duration? = nil,
    commandTimeout: Duration? = nil
) -> ConnectionOptions {
    ConnectionOptions(
        connectTimeout: connectTimeout, commandTimeout: commandTimeout,
        settings: RedisSettings(), environment: [:],
        logger: Logger(label: "test") { _ in logs }, metrics: metrics
    )
}

/// Collects every log message, for tests to assert on.
final class LogCapture: LogHandler, Sendable {
    private let lines = Mutex<[(Logger.Level, String)]>([])

    var messages: [(level: Logger.Level, message: String)] { lines.withLock { $0 } }

    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey _: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append((event.level, event.message.description)) }
    }
}

/// A blocking client on a real server, made through the factory with no fallback.
func realClient(_ server: RedisServer, path: String = "", options: ConnectionOptions = testOptions()) throws -> RedisClient {
    try RedisFactory.makeClient(preferredURL: server.url + path, fallbackToFake: false, context: "test", options: options)
}
