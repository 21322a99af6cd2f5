import Foundation
import InMemoryTracing
import RedisTestSupport
import Tracing
import Testing
@testable import RedisClientCore
@testable import RedisFactory
@testable import RedisStub

@Suite struct FactoryTests {
    @Test func fallsBackToTheStubWithOneRedactedWarning() throws {
        let port = try freeLoopbackPort()
        let logs = LogCapture()
        let metrics = RedisMetrics()
        let client = try RedisFactory.makeClient(
            preferredURL: "redis://app:hunter2@127.0.0.1:\(port)/1", context: "embeddings",
            options: testOptions(metrics: metrics, logs: logs)
        )
        #expect(client.isStub)
        #expect(client.fallbackReason?.kind == "refused")
        #expect(try client.ping() == "PONG")
        let warnings = logs.messages.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(
            warnings.first?.message
                == "Redis unavailable at redis://***:***@127.0.0.1:\(port)/1 for embeddings; using in-memory stub. Error: connection refused (Connection refused)"
        )
        #expect(!logs.messages.contains { $0.message.contains("hunter2") })
    }

    @Test func fallbackClientsForOneURLAndContextShareOneStub() throws {
        let url = "redis://127.0.0.1:\(try freeLoopbackPort())/2"
        let context = uniqueContext()
        let writer = try RedisFactory.makeClient(preferredURL: url, context: context, options: testOptions())
        let reader = try RedisFactory.makeClient(preferredURL: url, context: context, options: testOptions())
        let other = try RedisFactory.makeClient(preferredURL: url, context: context + "-other", options: testOptions())
        try writer.rpush("jobs", ["a", "b"])
        #expect(try reader.lpop("jobs") == "a")
        #expect(try other.llen("jobs") == 0)
        // The URL's database is selected on the stub too.
        try reader.select(0)
        #expect(try reader.llen("jobs") == 0)
    }

    /// A queue worker on the fallback stub blocks on BLPOP as it would on Redis, and another
    /// client's push wakes it; a timeout answers nil. The worker blocks on a thread of its own,
    /// as a worker does (on Swift's shared pool it could starve the test that pushes).
    @Test func aBlockedWorkerOnTheStubIsWokenByAnotherClientsPush() throws {
        let url = "redis://127.0.0.1:\(try freeLoopbackPort())/0"
        let context = uniqueContext()
        let worker = try RedisFactory.makeClient(preferredURL: url, context: context, options: testOptions())
        let producer = try RedisFactory.makeClient(preferredURL: url, context: context, options: testOptions())
        #expect(try worker.send("BLPOP", "jobs", "0.05") == .null)
        let outcome = BlockedOutcome()
        nonisolated(unsafe) let blockedWorker = worker
        Thread {
            outcome.reply = try? blockedWorker.send("BLPOP", "jobs", "other", "60")
            outcome.done.signal()
        }.start()
        usleep(100_000)
        #expect(try producer.send("RPUSH", "other", "job-1") == .integer(1))
        #expect(outcome.done.wait(timeout: .now() + 60) == .success)
        #expect(outcome.reply == .array([.bulkString(Array("other".utf8)), .bulkString(Array("job-1".utf8))]))
        #expect(try producer.send("LLEN", "other") == .integer(0))
    }

    /// In-process, a subscriber reads its messages (and its further confirmations) in order.
    @Test func aStubSubscriberReadsWhatAnotherSessionPublishes() throws {
        let store = StubStore()
        let subscriber = InMemoryRedis(store: store)
        let publisher = InMemoryRedis(store: store)
        #expect(try subscriber.send("SUBSCRIBE", "jobs", "events") == .array([.bulk("subscribe"), .bulk("jobs"), .integer(1)]))
        #expect(subscriber.nextMessage(timeout: .zero) == .array([.bulk("subscribe"), .bulk("events"), .integer(2)]))
        #expect(try publisher.send("PUBLISH", "jobs", "job-1") == .integer(1))
        #expect(subscriber.nextMessage(timeout: .seconds(1)) == .array([.bulk("message"), .bulk("jobs"), .bulk("job-1")]))
        #expect(subscriber.nextMessage(timeout: .milliseconds(10)) == nil)
        #expect(try subscriber.send("GET", "k").errorMessage?.hasPrefix("ERR Can't execute 'get'") == true)
    }

    /// In-process sessions of one store see each other in CLIENT LIST; CLIENT KILL closes
    /// one for good, and CLIENT UNBLOCK answers a blocked one with Redis's error.
    @Test func stubSessionsListKillAndUnblockEachOther() throws {
        let store = StubStore()
        let (worker, admin, victim) = (InMemoryRedis(store: store), InMemoryRedis(store: store), InMemoryRedis(store: store))
        #expect(try victim.send("CLIENT", "SETNAME", "victim") == .ok)
        guard case .bulkString(let list) = try admin.send("CLIENT", "LIST") else { Issue.record("no list"); return }
        let lines = String(decoding: list, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.contains { $0.hasPrefix("id=\(victim.clientInfo.id) ") && $0.contains(" name=victim ") && $0.contains(" cmd=client|setname ") })
        #expect(try admin.send("CLIENT", "KILL", "ID", "\(victim.clientInfo.id)") == .integer(1))
        #expect(throws: RedisError.self) { try victim.send("PING") }
        let outcome = BlockedOutcome()
        nonisolated(unsafe) let blocked = worker
        Thread {
            outcome.reply = try? blocked.send("BLPOP", "jobs", "60")
            outcome.done.signal()
        }.start()
        // Until the worker is blocked, UNBLOCK finds nothing to do.
        while try admin.send("CLIENT", "UNBLOCK", "\(worker.clientInfo.id)", "ERROR") == .integer(0) { usleep(10_000) }
        #expect(outcome.done.wait(timeout: .now() + 60) == .success)
        #expect(outcome.reply == .error("UNBLOCKED client unblocked via CLIENT UNBLOCK"))
    }

    @Test func withoutFallbackTheTypedErrorIsThrown() throws {
        let port = try freeLoopbackPort()
        let logs = LogCapture()
        #expect(throws: RedisError.connectionRefused("Connection refused")) {
            try RedisFactory.makeClient(
                preferredURL: "redis://127.0.0.1:\(port)", fallbackToFake: false, options: testOptions(logs: logs)
            )
        }
        #expect(logs.messages.isEmpty)
    }

    /// The stub has Redis's default 16 databases. A URL that selects another one, with Redis
    /// down, is an error that says so, not a crash (it was an index out of range, SIGILL).
    @Test func fallbackBeyondTheStubsDatabasesIsAnErrorNotACrash() throws {
        let port = try freeLoopbackPort()
        let logs = LogCapture()
        let error = #expect(throws: RedisError.self) {
            try RedisFactory.makeClient(preferredURL: "redis://u:hunter2@127.0.0.1:\(port)/16", options: testOptions(logs: logs))
        }
        #expect(error?.description.contains("it has databases 0 to 15, as Redis's default configuration, not 16") == true, "\(String(describing: error))")
        #expect(error?.description.contains("hunter2") == false)
        #expect(logs.messages.isEmpty, "no fallback happened, so no fallback warning")
        let last = try RedisFactory.makeClient(preferredURL: "redis://127.0.0.1:\(port)/15", options: testOptions(logs: logs))
        #expect(last.isStub)
        #expect(try last.send("SELECT", "16") == .error("ERR DB index is out of range"))
        #expect(throws: RedisError.server("ERR DB index is out of range")) { try InMemoryRedis(database: 16) }
    }

    @Test func invalidURLIsNeverHiddenBehindTheStub() throws {
        let metrics = RedisMetrics()
        let error = #expect(throws: RedisError.self) {
            try RedisFactory.makeClient(preferredURL: "redis://u:hunter2@h:bad", context: "cfg", options: testOptions(metrics: metrics))
        }
        #expect(error?.kind == "invalid_url")
        #expect(error?.description.contains("hunter2") == false)
        let text = metrics.exposition()
        #expect(sample(text, "infra_redis_connection_errors_total", ["mode": "sync", "context": "cfg", "error": "invalid_url"]) == 1)
    }

    @Test func metricsCountRealStubAndErrorOutcomes() throws {
        let server = try RedisServer.start()
        let refused = "redis://127.0.0.1:\(try freeLoopbackPort())"
        let metrics = RedisMetrics()
        let options = testOptions(metrics: metrics)
        let context = uniqueContext()

        _ = try RedisFactory.makeClient(preferredURL: server.url, context: context, options: options)
        _ = try RedisFactory.makeClient(preferredURL: server.url, context: context, options: options)
        _ = try RedisFactory.makeClient(preferredURL: refused, context: context, options: options)
        _ = try? RedisFactory.makeClient(preferredURL: refused, fallbackToFake: false, context: context, options: options)
        _ = try? RedisFactory.makeClient(preferredURL: refused, fallbackToFake: false, context: context, options: options)

        let text = metrics.exposition()
        func attempts(_ outcome: String) -> Double? {
            sample(text, "infra_redis_connection_attempts_total", ["mode": "sync", "context": context, "outcome": outcome])
        }
        #expect(attempts("real") == 2)
        #expect(attempts("stub") == 1)
        #expect(attempts("error") == 2)
        #expect(sample(text, "infra_redis_connection_errors_total", ["mode": "sync", "context": context, "error": "refused"]) == 3)
        #expect(sample(text, "infra_redis_fallback_total", ["mode": "sync", "context": context, "reason": "refused"]) == 1)
        #expect(
            sample(text, "infra_redis_connection_duration_seconds_count", ["mode": "sync", "context": context, "outcome": "real"]) == 2
        )
        #expect(text.contains("# TYPE infra_redis_connection_attempts_total counter"))
        #expect(text.contains("# TYPE infra_redis_connection_duration_seconds histogram"))
        // Exactly the original's buckets, then +Inf.
        let buckets = text.split(separator: "\n")
            .filter { $0.hasPrefix("infra_redis_connection_duration_seconds_bucket") && $0.contains("outcome=\"real\"") }
            .compactMap { line in line.firstRange(of: "le=\"").map { line[$0.upperBound...].prefix(while: { $0 != "\"" }) } }
        #expect(buckets == ["0.001", "0.005", "0.01", "0.05", "0.1", "0.25", "0.5", "1.0", "2.0", "5.0", "10.0", "+Inf"])
    }

    @Test func asyncClientCountsAsAsync() async throws {
        let server = try RedisServer.start()
        let metrics = RedisMetrics()
        let context = uniqueContext()
        let client = try await RedisFactory.makeAsyncClient(preferredURL: server.url, context: context, options: testOptions(metrics: metrics))
        #expect(!client.isStub)
        #expect(try await client.send("SET", "k", "v") == .simpleString("OK"))
        #expect(try await client.withClient { try $0.get("k") } == "v")
        let replies = try await client.pipeline([argv("INCR", "n"), argv("INCR", "n")])
        #expect(replies == [.integer(1), .integer(2)])

        // Many tasks share one client; each reply reaches its own caller.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let reply = try await client.send("ECHO", "task-\(index)")
                    #expect(reply == .bulk("task-\(index)"))
                }
            }
            try await group.waitForAll()
        }

        let stub = try await RedisFactory.makeAsyncClient(
            preferredURL: "redis://127.0.0.1:\(try freeLoopbackPort())", context: context, options: testOptions(metrics: metrics)
        )
        #expect(stub.isStub)
        let text = metrics.exposition()
        #expect(sample(text, "infra_redis_connection_attempts_total", ["mode": "async", "context": context, "outcome": "real"]) == 1)
        #expect(sample(text, "infra_redis_connection_attempts_total", ["mode": "async", "context": context, "outcome": "stub"]) == 1)
        #expect(sample(text, "infra_redis_fallback_total", ["mode": "async", "context": context, "reason": "refused"]) == 1)
    }

    @Test func sharedRegistryIsWhatTheExpositionFunctionPrints() throws {
        let context = uniqueContext()
        _ = try RedisFactory.makeClient(preferredURL: "redis://127.0.0.1:\(try freeLoopbackPort())", context: context)
        let text = RedisFactory.metricsExposition()
        #expect(sample(text, "infra_redis_connection_attempts_total", ["mode": "sync", "context": context, "outcome": "stub"]) == 1)
    }
}

/// The value of one series in a Prometheus text exposition, found by name and exact labels.
func sample(_ exposition: String, _ name: String, _ labels: [String: String]) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(name + "{") {
        guard let close = line.lastIndex(of: "}") else { continue }
        let body = line[line.index(line.startIndex, offsetBy: name.count + 1)..<close]
        var found: [String: String] = [:]
        for pair in body.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            found[String(parts[0])] = String(parts[1].dropFirst().dropLast())
        }
        if found == labels { return Double(line[line.index(after: close)...].trimmingSpaces()) }
    }
    return nil
}

/// A span per connection attempt, with the metrics' labels as attributes, when the caller's
/// tracer is there (the application's bootstrapped one, or `ConnectionOptions.tracer`).
@Suite struct ConnectionTracingTests {
    @Test func eachAttemptIsASpanWithTheMetricsLabels() throws {
        let server = try RedisServer.start()
        let tracer = InMemoryTracer()
        var options = ConnectionOptions(metrics: RedisMetrics())
        options.tracer = tracer
        _ = try RedisFactory.makeClient(preferredURL: server.url, fallbackToFake: false, context: "orders", options: options)
        let port = try freeLoopbackPort()
        options.connectTimeout = .milliseconds(200)
        _ = try RedisFactory.makeClient(preferredURL: "redis://127.0.0.1:\(port)", fallbackToFake: true, context: "orders", options: options)
        let spans = tracer.finishedSpans
        #expect(spans.map(\.operationName) == ["redis.connect", "redis.connect"])
        #expect(spans.allSatisfy { $0.kind == .client })
        let attributes = spans.map { span in
            ["mode", "context", "outcome", "error"].map { key -> String in
                guard case .string(let value)? = span.attributes["redis.\(key)"]?.toSpanAttribute() else { return "-" }
                return value
            }
        }
        #expect(attributes[0] == ["sync", "orders", "real", "-"], "\(attributes)")
        #expect(attributes[1][0...2] == ["sync", "orders", "stub"], "\(attributes)")
        #expect(attributes[1][3] != "-", "the error kind: \(attributes)")
    }
}

/// What a session blocked on a thread of its own answered, and when.
final class BlockedOutcome: @unchecked Sendable {
    var reply: RedisValue?
    let done = DispatchSemaphore(value: 0)
}
