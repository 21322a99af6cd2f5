import RedisTestSupport
import Testing
@testable import RedisClientCore
@testable import RedisFactory
@testable import RedisStub

/// The async client's auto-pipelining on a real server: many tasks share one connection and
/// each still gets its own replies, in its own order.
@Suite struct AsyncClientTests {
    @Test func fiftyTasksOnOneClientEachGetTheirOwnRepliesInOrder() async throws {
        let server = try RedisServer.start()
        let client = try await RedisFactory.makeAsyncClient(preferredURL: server.url, fallbackToFake: false, context: "async-test")
        try await withThrowingTaskGroup(of: [Int64].self) { group in
            for task in 0..<50 {
                group.addTask {
                    var seen: [Int64] = []
                    for _ in 0..<100 { seen.append(try await client.send(argv("INCR", "counter:\(task)")).integer ?? -1) }
                    return seen
                }
            }
            for try await seen in group { #expect(seen == Array(1...100)) }
        }
        #expect(try await client.send("GET", "counter:49").string == "100")
    }

    @Test func aBadReplyFailsOnlyItsOwnTask() async throws {
        let server = try RedisServer.start()
        let raw = try server.client()
        try raw.send(argv("SET", "binary", [0xFF, 0xFE] as [UInt8]))
        let client = try await RedisFactory.makeAsyncClient(preferredURL: server.url, decodeResponses: true, fallbackToFake: false, context: "async-test")
        async let bad = Result(catching: { try await client.send(argv("GET", "binary")) })
        async let good = Result(catching: { try await client.send(argv("PING")) })
        let (badResult, goodResult) = await (bad, good)
        guard case .failure(let error as RedisError) = badResult, case .invalidUTF8 = error else {
            Issue.record("expected invalidUTF8, got \(badResult)")
            return
        }
        #expect(try goodResult.get().string == "PONG")
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
