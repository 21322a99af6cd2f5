/// Splits a URL string by hand: Foundation's URL would pull ICU into the health check, and
/// we want an error that names the exact part that is wrong.
struct RedisURLParser {
    let text: String

    init(_ text: String) { self.text = text }

    func parse() throws(RedisURLError) -> RedisURL {
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw fail("scheme", "missing '<scheme>://' (expected redis://, rediss://, unix://, redis+sentinel:// or redis+cluster://)")
        }
        let schemeText = text[..<schemeEnd.lowerBound].lowercased()
        guard let scheme = RedisURL.Scheme(rawValue: schemeText) else {
            throw fail("scheme", "unsupported scheme '\(schemeText)' (expected redis, rediss, unix, redis+sentinel, rediss+sentinel, redis+cluster or rediss+cluster)")
        }
        var rest = Substring(text[schemeEnd.upperBound...])

        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }

        // Credentials end at the last '@' before the path, so a password may contain '@'.
        let authorityEnd = scheme == .unix ? rest.endIndex : (rest.firstIndex(of: "/") ?? rest.endIndex)
        var authority = rest[..<authorityEnd]
        var path = rest[authorityEnd...]
        if scheme == .unix {
            authority = ""
            path = rest
            if let at = rest.lastIndex(of: "@") {
                authority = rest[..<at]
                path = rest[rest.index(after: at)...]
            }
        }

        var username: String?
        var password: String?
        var hostPort = authority
        if scheme == .unix {
            if !authority.isEmpty { (username, password) = try credentials(authority) }
        } else if let at = authority.lastIndex(of: "@") {
            (username, password) = try credentials(authority[..<at])
            hostPort = authority[authority.index(after: at)...]
        }

        var url: RedisURL
        if scheme == .unix {
            guard path.hasPrefix("/"), path.count > 1 else {
                throw fail("path", "a unix socket URL needs an absolute path, as in unix:///run/redis.sock")
            }
            guard let decoded = percentDecoded(path) else {
                throw fail("path", "bad percent-encoding in the socket path")
            }
            url = RedisURL(scheme: .unix, endpoint: .unix(path: decoded))
        } else if scheme == .redisSentinel || scheme == .redissSentinel {
            var sentinels: [RedisURL.HostAndPort] = []
            for item in hostPort.split(separator: ",", omittingEmptySubsequences: false) {
                let (host, port) = try hostAndPort(item, defaultPort: RedisURL.defaultSentinelPort)
                sentinels.append(RedisURL.HostAndPort(host: host, port: port))
            }
            let parts = path.split(separator: "/", omittingEmptySubsequences: true)
            guard let name = parts.first, parts.count <= 2 else {
                throw fail("path", "a Sentinel URL names the master after the hosts, as in redis+sentinel://host:26379/mymaster[/db]")
            }
            guard name.allSatisfy({ ($0.isLetter || $0.isNumber || "-_.".contains($0)) && $0.isASCII }) else {
                throw fail("path", "'\(name)' is not a Sentinel master name (letters, digits, '-', '_', '.')")
            }
            url = RedisURL(scheme: scheme, endpoint: .sentinel(sentinels: sentinels, masterName: String(name)))
            if parts.count == 2 { url.database = try databaseNumber(parts[1]) }
        } else if scheme == .redisCluster || scheme == .redissCluster {
            var seeds: [RedisURL.HostAndPort] = []
            for item in hostPort.split(separator: ",", omittingEmptySubsequences: false) {
                let (host, port) = try hostAndPort(item, defaultPort: RedisURL.defaultPort)
                seeds.append(RedisURL.HostAndPort(host: host, port: port))
            }
            url = RedisURL(scheme: scheme, endpoint: .cluster(seeds: seeds))
            guard try database(fromPath: path) == 0 else {
                throw fail("database", "a cluster has database 0 only")
            }
        } else {
            let (host, port) = try hostAndPort(hostPort, defaultPort: RedisURL.defaultPort)
            url = RedisURL(scheme: scheme, endpoint: .tcp(host: host, port: port))
            url.database = try database(fromPath: path)
        }
        url.username = username
        url.password = password
        try apply(query: query, to: &url)
        return url
    }

    private func credentials(_ userInfo: Substring) throws(RedisURLError) -> (String?, String?) {
        let user: Substring
        let pass: Substring?
        if let colon = userInfo.firstIndex(of: ":") {
            user = userInfo[..<colon]
            pass = userInfo[userInfo.index(after: colon)...]
        } else {
            user = userInfo
            pass = nil
        }
        guard let decodedUser = percentDecoded(user) else {
            throw fail("credentials", "bad percent-encoding in the user name or password")
        }
        // `redis://secret@host` is how redis-py spells a password-only URL.
        guard let pass else { return (nil, decodedUser.isEmpty ? nil : decodedUser) }
        guard let decodedPass = percentDecoded(pass) else {
            throw fail("credentials", "bad percent-encoding in the user name or password")
        }
        // `redis://:@host` carries no password: sending `AUTH ""` would only fail.
        return (decodedUser.isEmpty ? nil : decodedUser, decodedPass.isEmpty ? nil : decodedPass)
    }

    private func hostAndPort(_ text: Substring, defaultPort: Int) throws(RedisURLError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw fail("host", "unclosed '[' in an IPv6 address")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw fail("host", "unexpected '\(after)' after the IPv6 address")
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        guard !host.isEmpty else { throw fail("host", "missing host name") }
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || "-._:%".contains($0) }) else {
            throw fail("host", "'\(host)' is not a valid host name")
        }
        guard let portText else { return (String(host), defaultPort) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw fail("port", "'\(portText)' is not a port number between 1 and 65535")
        }
        return (String(host), port)
    }

    private func database(fromPath path: Substring) throws(RedisURLError) -> Int {
        let trimmed = path.drop(while: { $0 == "/" })
        if trimmed.isEmpty { return 0 }
        return try databaseNumber(trimmed)
    }

    private func databaseNumber(_ text: Substring) throws(RedisURLError) -> Int {
        guard let db = Int(text), db >= 0 else {
            throw fail("database", "'\(text)' is not a database number (0, 1, 2, ...)")
        }
        return db
    }

    private func apply(query: Substring, to url: inout RedisURL) throws(RedisURLError) {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let key: Substring
            let value: Substring
            if let eq = pair.firstIndex(of: "=") {
                key = pair[..<eq]
                value = pair[pair.index(after: eq)...]
            } else {
                key = pair
                value = ""
            }
            switch key {
            case "db":
                url.database = try databaseNumber(value)
                if case .cluster = url.endpoint, url.database != 0 { throw fail("database", "a cluster has database 0 only") }
            case "timeout", "socket_timeout": url.commandTimeout = try seconds(value, option: key)
            case "connect_timeout", "socket_connect_timeout": url.connectTimeout = try seconds(value, option: key)
            case "sentinel_username", "sentinel_password_file":
                guard case .sentinel = url.endpoint else { throw fail("query", "option '\(key)' applies to redis+sentinel:// URLs only") }
                guard let decoded = percentDecoded(value), !decoded.isEmpty else { throw fail("query", "option '\(key)' needs a value") }
                if key == "sentinel_username" { url.sentinelUsername = decoded } else { url.sentinelPasswordFile = decoded }
            case "read_from_replicas":
                guard case .cluster = url.endpoint else { throw fail("query", "option 'read_from_replicas' applies to redis+cluster:// URLs only") }
                guard ["yes", "no", "true", "false"].contains(value.lowercased()) else { throw fail("query", "option 'read_from_replicas' is yes or no") }
                url.readFromReplicas = ["yes", "true"].contains(value.lowercased())
            case "ssl_ca_certs", "ssl_ca_path", "ssl_certfile", "ssl_keyfile", "ssl_server_name", "ssl_cert_reqs":
                guard url.usesTLS else { throw fail("query", "option '\(key)' applies to rediss:// URLs only") }
                guard let decoded = percentDecoded(value), !decoded.isEmpty else { throw fail("query", "option '\(key)' needs a value") }
                switch key {
                case "ssl_ca_certs": url.tls.caFile = decoded
                case "ssl_ca_path": url.tls.caDirectory = decoded
                case "ssl_certfile": url.tls.certificateFile = decoded
                case "ssl_keyfile": url.tls.keyFile = decoded
                case "ssl_server_name": url.tls.serverName = decoded
                default:
                    guard ["none", "required"].contains(decoded) else { throw fail("query", "option 'ssl_cert_reqs' is 'required' or 'none', not '\(decoded)'") }
                    url.tls.verifyPeer = decoded == "required"
                }
            default:
                // The value is not echoed: an unknown option may be somebody's password.
                throw fail("query", "unknown option '\(key)' (known: db, timeout, connect_timeout, sentinel_username, sentinel_password_file, read_from_replicas, ssl_ca_certs, ssl_ca_path, ssl_certfile, ssl_keyfile, ssl_server_name, ssl_cert_reqs)")
            }
        }
    }

    private func seconds(_ text: Substring, option: Substring) throws(RedisURLError) -> Duration {
        guard let value = Double(text), value > 0, value.isFinite, value <= 86_400 else {
            throw fail("query", "option '\(option)' needs a positive number of seconds, got '\(text)'")
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    private func fail(_ part: String, _ problem: String) -> RedisURLError {
        RedisURLError(part: part, problem: problem, redactedInput: Self.redact(text))
    }

    /// Masks whatever stands before the last '@' of the authority, and drops the query (an
    /// unknown option could hold a secret). Used on input that may not parse.
    static func redact(_ text: String) -> String {
        guard let schemeEnd = text.firstRange(of: "://") else {
            // Without a scheme we cannot tell a host from a pasted password: show nothing.
            return "<not a URL>"
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        if let mark = rest.firstIndex(of: "?") { rest = rest[..<mark] }
        if let at = rest.lastIndex(of: "@") {
            rest = "***:***@" + rest[rest.index(after: at)...]
        }
        return String(text[..<schemeEnd.upperBound]) + rest
    }
}

func percentDecoded(_ text: Substring) -> String? {
    guard text.contains("%") else { return String(text) }
    var bytes: [UInt8] = []
    var iterator = Array(text.utf8).makeIterator()
    while let byte = iterator.next() {
        guard byte == UInt8(ascii: "%") else {
            bytes.append(byte)
            continue
        }
        guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
            return nil
        }
        bytes.append(high << 4 | low)
    }
    return String(validating: bytes, as: UTF8.self)
}
