import RedisClientCore

/// `CLIENT`: per-connection, so answered by the session, over every session of the store
/// (CLIENT LIST, KILL, UNBLOCK reach the others), with Redis 7.0's checks and errors.
extension InMemoryRedis {
    /// Containers the session answers itself: their subcommands count in CLIENT LIST's `cmd=`.
    static let sessionContainers: Set<String> = ["client"]

    private static let clientArities: [String: Int] = [
        "SETNAME": 3, "GETNAME": 2, "ID": 2, "SETINFO": 4, "LIST": -2, "INFO": 2, "KILL": -3, "NO-EVICT": 3, "UNBLOCK": -3,
        "PAUSE": -3, "UNPAUSE": 2, "GETREDIR": 2, "TRACKINGINFO": 2, "REPLY": 3, "TRACKING": -3, "CACHING": 3, "HELP": 2,
    ]

    /// A server's connection: its peer's and its own address, its socket.
    public func setConnection(peer: String, local: String, fd: Int32) {
        store.updateClient(clientInfo) { $0.address = peer; $0.localAddress = local; $0.fd = Int(fd) }
    }

    /// A server parked this session on a blocking command, or resumed it.
    public func setBlocked(_ blocked: Bool) {
        store.updateClient(clientInfo) { $0.blocked = blocked; $0.unblock = nil }
    }

    static func isKnownClientRequest(_ command: RedisCommandArgv) -> Bool {
        guard command.count > 1, let arity = clientArities[StubParse.upper(command[1])] else { return false }
        return StubCommand.accepts(arity: arity, count: command.count)
    }

    func client(_ command: RedisCommandArgv) -> RedisValue {
        let subcommand = String(decoding: command[1], as: UTF8.self)
        guard let arity = Self.clientArities[subcommand.uppercased()] else { return .error("ERR unknown subcommand '\(subcommand)'. Try CLIENT HELP.") }
        guard StubCommand.accepts(arity: arity, count: command.count) else { return .error(StubError.arity("client|\(subcommand.lowercased())").message) }
        store.updateClient(clientInfo) { $0.lastCommand = command }
        do {
            return try clientSubcommand(subcommand.uppercased(), command)
        } catch {
            return .error(error.message)
        }
    }

    private func clientSubcommand(_ subcommand: String, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        switch subcommand {
        case "SETNAME":
            guard command[2].allSatisfy({ $0 > 32 && $0 < 127 }) else {
                throw StubError("ERR Client names cannot contain spaces, newlines or special characters.")
            }
            store.updateClient(clientInfo) { $0.name = command[2].isEmpty ? nil : command[2] }
            return .ok
        case "GETNAME":
            return store.withClients { _, _ in clientInfo.name }.map(RedisValue.bulkString) ?? .null
        case "ID":
            return .integer(clientID)
        case "SETINFO":
            return .ok
        case "INFO":
            return .bulk(store.withClients { _, now in clientInfo.line(now: now) })
        case "LIST":
            return .bulk(try clientList(command))
        case "KILL":
            return try clientKill(command)
        case "NO-EVICT":
            let on = StubParse.upper(command[2])
            guard on == "ON" || on == "OFF" else { throw .syntax }
            store.updateClient(clientInfo) { $0.noEvict = on == "ON" }
            return .ok
        case "UNBLOCK":
            return try clientUnblock(command)
        case "PAUSE":
            // Checked as Redis checks it; the stub does not hold clients back.
            guard let milliseconds = StubParse.parseInteger(command[2]) else { throw StubError("ERR timeout is not an integer or out of range") }
            guard milliseconds >= 0 else { throw StubError("ERR timeout is negative") }
            if command.count == 4 && !["WRITE", "ALL"].contains(StubParse.upper(command[3])) { throw StubError("ERR CLIENT PAUSE mode must be WRITE or ALL") }
            guard command.count <= 4 else { throw .syntax }
            return .ok
        case "UNPAUSE":
            return .ok
        case "REPLY":
            // A server writing the replies holds them back (StubServer); in-process every
            // command still answers.
            guard ["ON", "OFF", "SKIP"].contains(StubParse.upper(command[2])) else { throw .syntax }
            return .ok
        case "TRACKING":
            return try clientTracking(command)
        case "CACHING":
            let id = clientID
            let yes = StubParse.upper(command[2])
            return try store.withTracking { tracking throws(StubError) -> RedisValue in
                guard let mode = tracking.mode(of: id) else {
                    throw StubError("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
                }
                switch yes {
                case "YES" where !mode.optIn: throw StubError("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
                case "NO" where !mode.optOut: throw StubError("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
                case "YES", "NO": tracking.setCaching(id)
                default: throw .syntax
                }
                return .ok
            }
        case "GETREDIR":
            let id = clientID
            return .integer(try store.withTracking { $0.mode(of: id)?.redirect ?? -1 })
        case "TRACKINGINFO":
            let id = clientID
            let mode = try store.withTracking { $0.mode(of: id) }
            guard let mode else {
                return .array([.bulk("flags"), .array([.bulk("off")]), .bulk("redirect"), .integer(-1), .bulk("prefixes"), .array([])])
            }
            var flags = ["on"]
            if mode.broadcast { flags.append("bcast") }
            if mode.optIn { flags += mode.caching ? ["optin", "caching-yes"] : ["optin"] }
            if mode.optOut { flags += mode.caching ? ["optout", "caching-no"] : ["optout"] }
            if mode.noLoop { flags.append("noloop") }
            if mode.brokenRedirect { flags.append("broken_redirect") }
            return .array([
                .bulk("flags"), .array(flags.map { .bulk($0) }), .bulk("redirect"), .integer(mode.redirect),
                .bulk("prefixes"), .array(mode.prefixes.map(RedisValue.bulkString)),
            ])
        default:
            return .array(Self.clientHelp.map { .simpleString($0) })
        }
    }

    /// `CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p]... [OPTIN] [OPTOUT] [NOLOOP]`:
    /// the options read first, then checked against each other and the session's tracking.
    private func clientTracking(_ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        var redirect: Int64 = 0
        var (broadcast, optIn, optOut, noLoop) = (false, false, false, false)
        var prefixes: [[UInt8]] = []
        var index = 3
        while index < command.count {
            let more = index + 1 < command.count
            switch StubParse.upper(command[index]) {
            case "REDIRECT" where more:
                index += 1
                guard redirect == 0 else { throw StubError("ERR A client can only redirect to a single other client") }
                redirect = try StubParse.integer(command[index])
                let target = redirect
                guard store.withClients({ clients, _ in clients.byID[target] != nil }) else {
                    throw StubError("ERR The client ID you want redirect to does not exist")
                }
            case "BCAST": broadcast = true
            case "OPTIN": optIn = true
            case "OPTOUT": optOut = true
            case "NOLOOP": noLoop = true
            case "PREFIX" where more:
                index += 1
                prefixes.append(command[index])
            default:
                throw .syntax
            }
            index += 1
        }
        let id = clientID
        switch StubParse.upper(command[2]) {
        case "ON":
            try store.withTracking { tracking throws(StubError) in
                try tracking.enable(id, redirect: redirect, broadcast: broadcast, prefixes: prefixes, optIn: optIn, optOut: optOut, noLoop: noLoop)
            }
            isTracking = true
        case "OFF":
            try store.withTracking { $0.disable(id) }
            isTracking = false
        default:
            throw .syntax
        }
        return .ok
    }

    /// `CLIENT LIST [TYPE type] | [ID id ...]`.
    private func clientList(_ command: RedisCommandArgv) throws(StubError) -> String {
        if command.count == 4 && StubParse.upper(command[2]) == "TYPE" {
            let type = try Self.clientType(command[3])
            return store.withClients { clients, now in clients.all.filter { Self.type(of: $0) == type }.map { $0.line(now: now) }.joined() }
        }
        if command.count > 3 && StubParse.upper(command[2]) == "ID" {
            var ids: [Int64] = []
            for word in command.dropFirst(3) {
                guard let id = StubParse.parseInteger(word) else { throw StubError("ERR Invalid client ID") }
                ids.append(id)
            }
            return store.withClients { clients, now in ids.compactMap { clients.byID[$0]?.line(now: now) }.joined() }
        }
        guard command.count == 2 else { throw .syntax }
        return store.withClients { clients, now in clients.all.map { $0.line(now: now) }.joined() }
    }

    /// `CLIENT KILL ip:port`, or `CLIENT KILL [ID id] [TYPE type] [USER name] [ADDR a] [LADDR a] [SKIPME yes|no] ...`.
    private func clientKill(_ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        var (id, type, address, localAddress, user): (Int64?, String?, String?, String?, String?) = (nil, nil, nil, nil, nil)
        var skipMe = true
        let oldForm = command.count == 3
        if oldForm {
            address = String(decoding: command[2], as: UTF8.self)
            skipMe = false
        } else {
            var index = 2
            while index < command.count {
                guard index + 1 < command.count else { throw .syntax }
                let value = command[index + 1]
                switch StubParse.upper(command[index]) {
                case "ID":
                    guard let parsed = StubParse.parseInteger(value), parsed > 0 else { throw StubError("ERR client-id should be greater than 0") }
                    id = parsed
                case "TYPE": type = try Self.clientType(value)
                case "ADDR": address = String(decoding: value, as: UTF8.self)
                case "LADDR": localAddress = String(decoding: value, as: UTF8.self)
                case "USER":
                    let name = String(decoding: value, as: UTF8.self)
                    guard store.hasUser(name) else { throw StubError("ERR No such user '\(name)'") }
                    user = name
                case "SKIPME":
                    switch StubParse.upper(value) {
                    case "YES": skipMe = true
                    case "NO": skipMe = false
                    default: throw .syntax
                    }
                default: throw .syntax
                }
                index += 2
            }
        }
        let me = clientID
        let killed = store.kill { clients in
            clients.all.filter { client in
                (id.map { client.id == $0 } ?? true) && (type.map { Self.type(of: client) == $0 } ?? true)
                    && (address.map { client.address == $0 } ?? true) && (localAddress.map { client.localAddress == $0 } ?? true)
                    && (user.map { client.user == $0 } ?? true)
                    && !(skipMe && client.id == me) && !client.killed
            }
        }
        if oldForm { return killed == 0 ? .error("ERR No such client") : .ok }
        return .integer(killed)
    }

    /// `CLIENT UNBLOCK id [TIMEOUT|ERROR]`: 1 when that session was blocked.
    private func clientUnblock(_ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        let id = try StubParse.integer(command[2])
        var reason = StubClientInfo.Unblock.timeout
        if command.count == 4 {
            switch StubParse.upper(command[3]) {
            case "TIMEOUT": reason = .timeout
            case "ERROR": reason = .error
            default: throw StubError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
            }
        }
        guard command.count <= 4 else { throw .syntax }
        let unblocked = store.withClients { clients, _ in
            guard let target = clients.byID[id], target.blocked, target.unblock == nil else { return false }
            target.unblock = reason
            return true
        }
        if unblocked { store.interventions.add(1, ordering: .releasing) }
        return .integer(unblocked ? 1 : 0)
    }

    private static func clientType(_ name: [UInt8]) throws(StubError) -> String {
        let type = StubParse.upper(name)
        guard ["NORMAL", "MASTER", "SLAVE", "REPLICA", "PUBSUB"].contains(type) else {
            throw StubError("ERR Unknown client type '\(String(decoding: name, as: UTF8.self))'")
        }
        return type == "SLAVE" ? "REPLICA" : type
    }

    private static func type(of client: StubClientInfo) -> String {
        client.subscriber.isSubscribed ? "PUBSUB" : "NORMAL"
    }

    private static let clientHelp = [
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)", "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR", "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME", "    Return the name of the current connection.",
        "ID", "    Return the ID of the current connection.",
        "INFO", "    Return information about the current client connection.",
        "KILL <ip:port>", "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
        "    * USER <username>", "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
        "LIST [options ...]", "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
        "UNPAUSE", "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]", "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
        "SETNAME <name>", "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]", "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO", "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
        "HELP", "    Prints this help.",
    ]
}
