import InfraSupport
import RedisFactory

#if canImport(Glibc)
import Glibc
#endif

/// What `check` found, rendered as text or JSON.
struct CheckReport {
    var url: String
    var source: String
    var client: String
    var reason: String?
    var roundTripMilliseconds: Double?
    /// Which engine and version answered; the stub answers as Redis 7 does.
    var server: ServerIdentity?

    static func probe(_ client: RedisClient) -> CheckReport {
        let clock = ContinuousClock()
        var report = CheckReport(
            url: client.redactedURL, source: client.source.description,
            client: client.isStub ? "stub" : "real", reason: client.fallbackReason?.description
        )
        let start = clock.now
        if (try? client.ping()) != nil {
            report.roundTripMilliseconds = (clock.now - start).milliseconds
        }
        report.server = (try? client.infoFields("server")).flatMap(ServerIdentity.init(info:))
        return report
    }

    static func unreachable(_ resolved: ResolvedURL?, error: RedisError) -> CheckReport {
        CheckReport(
            url: resolved?.url.redacted ?? "?", source: resolved?.source.description ?? "?",
            client: "none", reason: error.description
        )
    }

    func print(_ format: CheckFormat) {
        switch format {
        case .text: Swift.print(text, terminator: "")
        case .json: Swift.print(json)
        case .prometheus: Swift.print(prometheus, terminator: "")
        }
    }

    /// The check as gauges, then the factory's series (its attempt just now among them): what a
    /// node_exporter textfile collector or a cron job's push reads. No URL: it may name a host
    /// that is nobody's business; the factory's labels are mode, context and outcome.
    var prometheus: String {
        var lines = [
            "# HELP redis_infra_check_reachable 1 when a real Redis answered the check, 0 when not (the stub, or nothing).",
            "# TYPE redis_infra_check_reachable gauge",
        ]
        let identity = server.map { ",engine=\"\($0.engine)\",version=\"\($0.version)\"" } ?? ""
        lines.append("redis_infra_check_reachable{client=\"\(client)\"\(client == "real" ? identity : "")} \(client == "real" ? 1 : 0)")
        if let roundTripMilliseconds {
            lines += [
                "# HELP redis_infra_check_rtt_seconds The check's PING round trip.",
                "# TYPE redis_infra_check_rtt_seconds gauge",
                "redis_infra_check_rtt_seconds \(roundTripMilliseconds / 1000)",
            ]
        }
        return lines.joined(separator: "\n") + "\n" + RedisFactory.metricsExposition()
    }

    var text: String {
        var lines = ["url:     \(url)", "source:  \(source)"]
        switch client {
        case "real": lines.append("client:  real")
        case "stub": lines.append("client:  stub (in-memory; Redis unreachable: \(reason ?? "unknown"))")
        default: lines.append("client:  none (Redis unreachable: \(reason ?? "unknown"))")
        }
        if let roundTripMilliseconds { lines.append("rtt:     \(threeDecimals(roundTripMilliseconds)) ms") }
        if client != "none" {
            lines.append("server:  \(server.map { client == "stub" ? "stub (answers as \($0))" : $0.description } ?? "unknown")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var json: String {
        var fields: [(String, String)] = [
            ("url", jsonQuoted(url)), ("source", jsonQuoted(source)), ("client", jsonQuoted(client)),
        ]
        fields.append(("reason", reason.map(jsonQuoted) ?? "null"))
        fields.append(("rtt_ms", roundTripMilliseconds.map { threeDecimals($0) } ?? "null"))
        fields.append(("engine", server.map { jsonQuoted($0.engine) } ?? "null"))
        fields.append(("version", server.map { jsonQuoted($0.version) } ?? "null"))
        return "{" + fields.map { "\(jsonQuoted($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
}

func printError(_ message: String) {
    writeAll(message + "\n", to: STDERR_FILENO)
}

/// A topology file's bytes, or nil after saying why it cannot be read. Larger than a topology
/// may be is the loader's (located) error, not a read error.
func readTopologyFile(_ path: String) -> [UInt8]? {
    do {
        return try readWholeFile(path, limit: 64 << 20)
    } catch {
        printError("error: \(error)")
        return nil
    }
}
