import RedisClientCore

/// Judges what a server answers — never an exit code, never the stub. Liveness: the process
/// answers (PONG, LOADING, MASTERDOWN). Readiness: it can serve, by its role's rules.
public enum Probe {
    /// Connects (through the factory, `fallbackToFake: false`) and judges.
    public static func run(url: String?, options: ProbeOptions, connection connectionOptions: ConnectionOptions) -> Verdict {
        let client: RedisClient
        do {
            client = try RedisConnector.connect(preferredURL: url, decodeResponses: false, context: "healthcheck", options: connectionOptions)
        } catch let error as RedisError {
            return judgeConnectError(error, options: options)
        } catch {
            return .unhealthy("\(error)")
        }
        precondition(!client.isStub, "a health check must never judge the stub")
        return judge(client, options: options)
    }

    /// A connect that failed in the handshake: a server that answered LOADING or MASTERDOWN is
    /// alive, though not ready.
    static func judgeConnectError(_ error: RedisError, options: ProbeOptions) -> Verdict {
        guard case .server(let message) = error else { return .unhealthy(error.description) }
        if message.hasPrefix("LOADING") || message.hasPrefix("MASTERDOWN") {
            let state = message.hasPrefix("LOADING") ? "loading its dataset" : "master down (MASTERDOWN)"
            return options.mode == .liveness ? .healthy("unknown", "alive, \(state)") : .unhealthy("not ready: \(state)")
        }
        // Redis refuses even PING on a master that cannot persist. The process is alive (a
        // restart does not fix a disk), but it cannot take writes.
        if message.hasPrefix("MISCONF") {
            let failed = message.contains("AOF") ? "AOF write" : "RDB save"
            return options.mode == .liveness
                ? .healthy("master", "alive, master cannot persist (MISCONF)")
                : .unhealthy("master's last \(failed) failed (writes fail with MISCONF)", role: "master")
        }
        return .unhealthy(error.description)
    }

    public static func judge(_ client: RedisClient, options: ProbeOptions) -> Verdict {
        let role: String
        do {
            guard let answer = try client.send("ROLE").array?.first?.string else { return .unhealthy("ROLE gave no role") }
            role = answer == "slave" ? "replica" : answer
        } catch {
            return .unhealthy("\(error)")
        }
        if ![.auto, .cluster].contains(options.role) && options.role.rawValue != role {
            return .unhealthy("role mismatch: expected \(options.role.rawValue), server is \(role)", role: role)
        }
        // A node that answers is alive, whether its cluster is up or down.
        if options.mode == .liveness { return .healthy(role, "alive, \(role)") }
        do {
            if options.role == .cluster, let refusal = try clusterRefusal(client, role: role) { return refusal }
            switch role {
            case "master": return try readyMaster(client)
            case "replica": return try readyReplica(client, maxLag: options.maxLagSeconds)
            case "sentinel": return try readySentinel(client, masterName: options.masterName, expectedReplicas: options.expectedReplicas)
            default: return .unhealthy("unknown role '\(role)'", role: role)
            }
        } catch {
            return .unhealthy("\(error)", role: role)
        }
    }

    /// A cluster node is ready when its cluster serves every slot and it is not itself flagged
    /// failed; its role's own rules then apply. nil: nothing against it.
    static func clusterRefusal(_ client: RedisClient, role: String) throws -> Verdict? {
        let info = try client.clusterInfo()
        let slots = KeySlot.count
        let assigned = Int(info["cluster_slots_assigned"] ?? "") ?? 0
        let ok = Int(info["cluster_slots_ok"] ?? "") ?? 0
        if info["cluster_state"] != "ok" {
            return .unhealthy("cluster state is \(info["cluster_state"] ?? "unknown"): \(assigned) of \(slots) slots assigned, \(ok) served", role: role)
        }
        if assigned < slots || ok < slots {
            return .unhealthy("cluster serves \(ok) of \(slots) slots (\(assigned) assigned)", role: role)
        }
        if let myself = try client.clusterNodes().first(where: \.isMyself), myself.isFailing {
            return .unhealthy("the cluster flags this node \(myself.flags.sorted().joined(separator: ","))", role: role)
        }
        return nil
    }

    static func readyMaster(_ client: RedisClient) throws -> Verdict {
        let info = try client.infoFields()
        return try judgeMaster(client, info: info).answered(by: info)
    }

    private static func judgeMaster(_ client: RedisClient, info: [String: String]) throws -> Verdict {
        if info["loading"] != "0" { return .unhealthy("master is loading its dataset", role: "master") }
        if let status = info["rdb_last_bgsave_status"], status != "ok" {
            return .unhealthy("master's last RDB save failed (writes fail with MISCONF)", role: "master")
        }
        if let status = info["aof_last_write_status"], status != "ok" {
            return .unhealthy("master's last AOF write failed (writes fail with MISCONF)", role: "master")
        }
        let replicas = Int(info["connected_slaves"] ?? "0") ?? 0
        if let good = info["min_slaves_good_slaves"].flatMap(Int.init),
           let needed = try client.send("CONFIG", "GET", "min-replicas-to-write").array?.last?.string.flatMap(Int.init),
           good < needed {
            return .unhealthy("master has \(good) good replicas of the \(needed) min-replicas-to-write needs; writes are refused", role: "master")
        }
        let plural = replicas == 1 ? "replica" : "replicas"
        return .healthy("master", "master, \(replicas) \(plural) connected")
    }

    static func readyReplica(_ client: RedisClient, maxLag: Int) throws -> Verdict {
        let info = try client.infoFields()
        return judgeReplica(info: info, maxLag: maxLag).answered(by: info)
    }

    private static func judgeReplica(info: [String: String], maxLag: Int) -> Verdict {
        let master = "\(info["master_host"] ?? "?"):\(info["master_port"] ?? "?")"
        if info["loading"] != "0" { return .unhealthy("replica is loading its dataset (master \(master))", role: "replica") }
        // While the first sync runs the link also reads down; say which it is.
        if info["master_sync_in_progress"] != "0" {
            return .unhealthy("replica is still syncing from its master (\(master))", role: "replica")
        }
        if info["master_link_status"] != "up" {
            // -1: the link was never up since this replica started.
            guard let since = info["master_link_down_since_seconds"].flatMap(Int.init), since >= 0 else {
                return .unhealthy("replica has not reached its master yet (master \(master))", role: "replica")
            }
            return .unhealthy("replica link down for \(since)s (master \(master))", role: "replica")
        }
        if let lag = info["master_last_io_seconds_ago"].flatMap(Int.init), lag > maxLag {
            return .unhealthy("replica last heard from its master \(lag)s ago, over the \(maxLag)s limit (master \(master))", role: "replica")
        }
        return .healthy("replica", "replica in sync with \(master)")
    }

    static func readySentinel(_ client: RedisClient, masterName: String, expectedReplicas: Int) throws -> Verdict {
        let quorum = try client.send("SENTINEL", "CKQUORUM", masterName)
        if case .error(let message) = quorum { return .unhealthy("sentinel: \(message)", role: "sentinel") }
        let address = try client.send("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName)
        guard let parts = address.array, parts.count == 2, let host = parts[0].string, let port = parts[1].string else {
            return .unhealthy("sentinel does not know a master named '\(masterName)'", role: "sentinel")
        }
        // Sentinels learn replicas from the master's INFO every 10 s; until then a failover
        // would find no replica to promote. A replica that is down still counts: it is known.
        if expectedReplicas > 0 {
            let known = try client.send("SENTINEL", "REPLICAS", masterName).array?.count ?? 0
            if known < expectedReplicas {
                return .unhealthy("sentinel knows \(known) of the \(expectedReplicas) replicas of \(masterName); it could not fail over yet", role: "sentinel")
            }
        }
        return .healthy("sentinel", "sentinel, quorum reachable, master \(masterName) at \(host):\(port)")
    }
}
