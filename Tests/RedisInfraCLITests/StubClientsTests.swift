import Foundation
import RedisTestSupport
import Testing

/// The stub through real clients: `redis-infra cli --stub` against redis-cli on a real server,
/// and redis-cli, redis-py and redis-benchmark against `redis-infra stub-server`.
@Suite struct StubClientsTests {
    /// Each family as a redis-cli session, starting from an empty server.
    static func session(_ index: Int) -> String {
        let commands = ContractSuite.families[index].commands.filter(ContractSuite.comparesAsText)
        return ([["FLUSHALL"], ["SCRIPT", "FLUSH"]] + commands).map(redisCLILine).joined(separator: "\n") + "\n"
    }

    @Test(arguments: 0..<ContractSuite.families.count)
    func cliOnTheStubPrintsWhatRedisCLIPrints(index: Int) throws {
        let server = try RedisServer.start()
        let expected = try runSystem("/usr/bin/redis-cli", ["-p", "\(server.port)"], stdin: Self.session(index))
        let actual = try runProduct("redis-infra", ["cli", "--stub"], stdin: Self.session(index))
        #expect(actual.exitCode == 0, "\(actual.stderr)")
        #expect(actual.stdout == expected.stdout, "\(ContractSuite.families[index].name)")
    }

    @Test func redisCLIAgainstTheStubServerMatchesARealServer() throws {
        let server = try RedisServer.start()
        let stub = try StubServerProcess()
        for index in ContractSuite.families.indices {
            let expected = try runSystem("/usr/bin/redis-cli", ["-p", "\(server.port)"], stdin: Self.session(index))
            let actual = try runSystem("/usr/bin/redis-cli", ["-p", "\(stub.port!)"], stdin: Self.session(index))
            #expect(actual.stdout == expected.stdout, "\(ContractSuite.families[index].name)")
        }
        #expect(stub.terminate() == 0)
    }

    /// RESP3 after `HELLO 3`: redis-cli prints each reply's type (`1# "a" => "1"` for a map,
    /// `(double) 1.5`, `1~` for a set, pushes for pub/sub), so the types compare too.
    @Test func redisCLIWithRESP3AgainstTheStubServerMatchesARealServer() throws {
        let server = try RedisServer.start()
        let stub = try StubServerProcess()
        for index in ContractSuite.families.indices {
            let arguments = ["-3", "--no-raw", "-p"]
            let expected = try runSystem("/usr/bin/redis-cli", arguments + ["\(server.port)"], stdin: Self.session(index))
            let actual = try runSystem("/usr/bin/redis-cli", arguments + ["\(stub.port!)"], stdin: Self.session(index))
            #expect(expected.stdout.contains("(double)") || !ContractSuite.families[index].name.contains("sorted"))
            #expect(actual.stdout == expected.stdout, "\(ContractSuite.families[index].name)")
        }
        #expect(stub.terminate() == 0)
    }

    @Test(arguments: [2, 3])
    func redisPyAgainstTheStubServerMatchesARealServer(protocolVersion: Int) throws {
        let python = "\(packageRoot.path)/.venv-tools/bin/python"
        try #require(FileManager.default.isExecutableFile(atPath: python), "redis-py is installed by scripts/test.sh")
        let server = try RedisServer.start()
        let stub = try StubServerProcess()
        let families = ContractSuite.families.map { $0.commands.filter(ContractSuite.comparesAsText) }
        let input = String(decoding: try JSONSerialization.data(withJSONObject: families), as: UTF8.self)
        let expected = try runSystem(python, ["-c", Self.redisPyScript, server.url, "\(protocolVersion)"], stdin: input)
        let actual = try runSystem(python, ["-c", Self.redisPyScript, stub.url, "\(protocolVersion)"], stdin: input)
        #expect(expected.exitCode == 0, "\(expected.stderr)")
        #expect(actual.exitCode == 0, "\(actual.stderr)")
        #expect(expected.stdout.split(separator: "\n").count > 400)
        let pairs = zip(expected.stdout.split(separator: "\n"), actual.stdout.split(separator: "\n"))
        for (line, (want, got)) in pairs.enumerated() where want != got {
            Issue.record("line \(line): redis \(want) / stub \(got)")
            break
        }
        #expect(actual.stdout == expected.stdout)
    }

    /// redis-py's own API for the common paths, then every contract command through
    /// `execute_command`, which applies redis-py's reply parsing for each command.
    static let redisPyScript = #"""
        import json, sys, redis
        # RESP2 or RESP3 (redis-py 8's default), as asked.
        protocol = int(sys.argv[2])
        r = redis.Redis.from_url(sys.argv[1], decode_responses=True, protocol=protocol)
        out = []
        r.flushall()
        out.append(r.set("a", "1", ex=100, nx=True))
        out.append((r.get("a"), r.ttl("a"), r.incrby("a", 5), r.exists("a", "b")))
        p = r.pipeline(transaction=True)
        p.zadd("z", {"x": 1.5, "y": 2}).zrange("z", 0, -1, withscores=True).hset("h", mapping={"f": "v"}).hgetall("h")
        out.append(p.execute())
        r.xgroup_create("s", "g", id="0", mkstream=True)
        out.append(r.xadd("s", {"job": "a"}, id="1-1"))
        out.append(r.xreadgroup("g", "c", {"s": ">"}, count=10))
        out.append((r.xack("s", "g", "1-1"), r.xpending("s", "g")))
        sha = r.script_load("return redis.call('INCR', KEYS[1])")
        out.append((r.evalsha(sha, 1, "n"), r.eval("return ARGV[1]", 0, "x")))
        out.append(sorted(r.scan_iter(match="*", count=2)))
        out.append((r.rpush("l", 1, 2, 3), r.lpop("l"), r.lrange("l", 0, -1)))
        # Blocking pops: at once, at a timeout, and woken by another connection's push.
        import threading, time
        other = redis.Redis.from_url(sys.argv[1], decode_responses=True, protocol=protocol)
        out.append((r.blpop(["none", "l"], timeout=1), r.blpop("none", timeout=0.05), r.bzpopmin("z", timeout=1)))
        threading.Timer(0.1, lambda: other.rpush("later", "woken")).start()
        out.append((r.brpop("later", timeout=5), r.blmove("l", "m", 1, "RIGHT", "LEFT"), r.lrange("m", 0, -1)))
        # Pub/sub: confirmations, messages on a channel and a pattern, unsubscribing.
        p = r.pubsub()
        p.subscribe("news")
        p.psubscribe("n*")
        out.append([p.get_message(timeout=1) for _ in range(2)])
        out.append((other.publish("news", "hi"), other.pubsub_numsub("news"), other.pubsub_numpat()))
        out.append([p.get_message(timeout=1) for _ in range(2)])
        p.unsubscribe("news")
        p.punsubscribe()
        out.append([p.get_message(timeout=1) for _ in range(2)])
        out.append((other.publish("news", "nobody"), p.get_message(timeout=0.1)))
        p.close()
        # A registered script (EVALSHA, then EVAL on NOSCRIPT) and a script error.
        incr = r.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        out.append((incr(keys=["n"], args=[5]), incr(keys=["n"], args=[1])))
        try:
            r.eval("return redis.call('nosuch')", 0)
        except redis.ResponseError as error:
            out.append(str(error).split(" script:")[0])
        for line in out:
            print(repr(line))
        for family in json.load(sys.stdin):
            r.execute_command("FLUSHALL")
            for command in family:
                try:
                    print(repr(r.execute_command(*command)))
                except redis.ResponseError as error:
                    print("error", error)
                # redis-py's own parsing failing on a reply (RESP3's XPENDING without entries,
                # say) is part of what compares.
                except (AttributeError, IndexError, TypeError, ValueError) as error:
                    print("client failure", command, type(error).__name__)
        """#

    /// Every one of redis-benchmark's default tests (PING, SET, GET, INCR, the list, set, hash
    /// and sorted-set ones, LRANGE_100 to _600, MSET) runs against the stub-server unrefused.
    @Test func redisBenchmarkRunsAgainstTheStubServer() throws {
        let stub = try StubServerProcess()
        let result = try runSystem("/usr/bin/redis-benchmark", ["-p", "\(stub.port!)", "-n", "2000", "-c", "10", "-q"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let rows = result.stdout.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).filter { $0.contains("requests per second") }
        #expect(rows.count == 20, "\(result.stdout)")
        #expect(!(result.stdout + result.stderr).contains("ERR"))
    }

    @Test func stubServerOnAUnixSocketShutsDownCleanly() throws {
        let directory = try makeTemporaryDirectory(prefix: "stub-server")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("stub.sock").path
        let stub = try StubServerProcess(unixSocket: path)
        let result = try runSystem("/usr/bin/redis-cli", ["-s", path], stdin: "SET k v\nGET k\nCLIENT SETNAME me\nCLIENT GETNAME\n")
        #expect(result.stdout == "OK\nv\nOK\nme\n")
        #expect(stub.terminate() == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}

