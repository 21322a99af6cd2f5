import RedisClientCore

/// CLIENT TRACKING, as Redis's tracking.c keeps it: which sessions read which keys (by name,
/// across databases), and the broadcasting sessions' prefixes. When a key changes, the
/// sessions that read it since it last changed are told once; broadcasting sessions hear of
/// every changed key under their prefixes at the end of the server's turn. Lives in the
/// store's state, under its lock.
final class StubTracking {
    struct Mode {
        /// The session that hears the invalidations instead (0: the tracking session itself).
        var redirect: Int64 = 0
        var broadcast = false
        /// Broadcast prefixes, kept sorted as Redis's radix tree lists them ("" for every key).
        var prefixes: [[UInt8]] = []
        var optIn = false, optOut = false, noLoop = false
        /// CLIENT CACHING YES (OPTIN) or NO (OPTOUT), for the next command.
        var caching = false
        /// The redirect target has gone (TRACKINGINFO's `broken_redirect`).
        var brokenRedirect = false
    }

    /// Asked for every command (``isActive``) under the store's lock: exempt from dynamic
    /// exclusivity checks.
    @exclusivity(unchecked) private(set) var modes: [Int64: Mode] = [:]
    /// Key → the sessions that read it since it last changed, in the order they read it.
    private var readers: [[UInt8]: [Int64]] = [:]
    /// Keys changed this turn, with the session that changed each, for broadcasting sessions.
    @exclusivity(unchecked) private var changed: [(key: [UInt8], writer: Int64?)] = []
    private var broadcasting = 0
    private let clients: StubClients
    /// Moves whenever an invalidation reaches a mailbox: a server delivers when it moves.
    @exclusivity(unchecked) private(set) var sent = 0
    /// The session whose command runs: NOLOOP leaves its own writes out, and what it is told
    /// of its own writes follows its reply.
    @exclusivity(unchecked) var current: Int64?

    init(clients: StubClients) {
        self.clients = clients
    }

    var isActive: Bool { !modes.isEmpty }
    var hasBroadcasts: Bool { !changed.isEmpty }

    func mode(of id: Int64) -> Mode? { modes[id] }

    /// CLIENT TRACKING ON with its options, checked as Redis checks them, in its order.
    func enable(_ id: Int64, redirect: Int64, broadcast: Bool, prefixes: [[UInt8]], optIn: Bool, optOut: Bool, noLoop: Bool) throws(StubError) {
        guard broadcast || prefixes.isEmpty else { throw StubError("ERR PREFIX option requires BCAST mode to be enabled") }
        let old = modes[id]
        if let old, old.broadcast != broadcast {
            throw StubError("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
        }
        if broadcast && (optIn || optOut) { throw StubError("ERR OPTIN and OPTOUT are not compatible with BCAST") }
        if optIn && optOut { throw StubError("ERR You can't specify both OPTIN mode and OPTOUT mode") }
        if let old, optIn && old.optOut || optOut && old.optIn {
            throw StubError("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.")
        }
        if broadcast { try Self.checkOverlaps(prefixes, existing: old?.prefixes ?? []) }
        var mode = Mode(redirect: redirect, broadcast: broadcast, optIn: optIn, optOut: optOut, noLoop: noLoop)
        mode.caching = old?.caching ?? false
        if broadcast {
            mode.prefixes = Array(Set((old?.prefixes ?? []) + (prefixes.isEmpty ? [[]] : prefixes))).sorted { $0.lexicographicallyPrecedes($1) }
        }
        if old?.broadcast == true { broadcasting -= 1 }
        if broadcast { broadcasting += 1 }
        modes[id] = mode
    }

    /// Redis's checkPrefixCollisionsOrReply: no prefix may start another, old or new.
    private static func checkOverlaps(_ prefixes: [[UInt8]], existing: [[UInt8]]) throws(StubError) {
        func overlap(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.starts(with: b) || b.starts(with: a) }
        let text = { (bytes: [UInt8]) in String(decoding: bytes, as: UTF8.self) }
        for (index, prefix) in prefixes.enumerated() {
            if let collision = existing.first(where: { overlap($0, prefix) }) {
                throw StubError("ERR Prefix '\(text(prefix))' overlaps with an existing prefix '\(text(collision))'. Prefixes for a single client must not overlap.")
            }
            if let other = prefixes[(index + 1)...].first(where: { overlap(prefix, $0) }) {
                throw StubError("ERR Prefix '\(text(prefix))' overlaps with another provided prefix '\(text(other))'. Prefixes for a single client must not overlap.")
            }
        }
    }

    /// CLIENT TRACKING OFF, RESET, or the session gone.
    func disable(_ id: Int64) {
        if modes.removeValue(forKey: id)?.broadcast == true { broadcasting -= 1 }
    }

    /// CLIENT CACHING YES|NO for the next command.
    func setCaching(_ id: Int64) {
        modes[id]?.caching = true
    }

    /// A command other than CLIENT ended outside MULTI: CACHING applied to it alone.
    func commandEnded(_ id: Int64) {
        if modes[id]?.caching == true { modes[id]?.caching = false }
    }

    /// The keys a read-only command read (Redis's trackingRememberKeys), unless OPTIN without
    /// CACHING YES or OPTOUT after CACHING NO leaves them out.
    func remember(_ keys: [[UInt8]], by id: Int64) {
        guard let mode = modes[id], !mode.broadcast, !(mode.optIn && !mode.caching), !(mode.optOut && mode.caching) else { return }
        for key in keys where !(readers[key]?.contains(id) ?? false) { readers[key, default: []].append(id) }
    }

    /// A key changed (Redis's trackingInvalidateKey): its readers are told, and forgotten.
    func invalidate(_ key: [UInt8]) {
        if broadcasting > 0 { changed.append((key, current)) }
        guard let ids = readers.removeValue(forKey: key) else { return }
        for id in ids {
            guard let mode = modes[id], !mode.broadcast, !(mode.noLoop && id == current) else { continue }
            send(.array([.bulkString(key)]), from: id)
        }
    }

    /// FLUSHDB or FLUSHALL: every tracking session is told to drop everything (a null).
    func flushed() {
        readers.removeAll()
        for id in modes.keys.sorted() { send(.null, from: id) }
    }

    /// The turn's changed keys to the broadcasting sessions: per prefix (in order), each
    /// session following it gets the keys under it, sorted and once each, less its own under
    /// NOLOOP (Redis's trackingBroadcastInvalidationMessages).
    func broadcast() {
        guard !changed.isEmpty else { return }
        let changes = changed
        changed = []
        current = nil
        let followers = modes.filter(\.value.broadcast).sorted { $0.key < $1.key }
        let prefixes = Set(followers.flatMap(\.value.prefixes)).sorted { $0.lexicographicallyPrecedes($1) }
        for prefix in prefixes {
            for (id, mode) in followers where mode.prefixes.contains(prefix) {
                let keys = Set(changes.filter { $0.key.starts(with: prefix) && !(mode.noLoop && $0.writer == id) }.map(\.key))
                guard !keys.isEmpty else { continue }
                send(.array(keys.sorted { $0.lexicographicallyPrecedes($1) }.map(RedisValue.bulkString)), from: id)
            }
        }
    }

    /// Redis's sendTrackingMessage: a RESP3 push to the session (or its redirect target), or
    /// on RESP2 a message on `__redis__:invalidate` to a redirect target that subscribes to
    /// something; nothing otherwise. A redirect target that has gone is reported to a RESP3
    /// session.
    private func send(_ keys: RedisValue, from id: Int64) {
        guard let tracker = clients.byID[id], let mode = modes[id] else { return }
        var target = tracker
        if mode.redirect != 0 {
            guard let redirected = clients.byID[mode.redirect] else {
                modes[id]?.brokenRedirect = true
                if tracker.protocolVersion == 3 { mail(.array([.bulk("tracking-redir-broken"), .integer(mode.redirect)]), to: tracker) }
                return
            }
            target = redirected
        }
        if target.protocolVersion == 3 {
            mail(.array([.bulk("invalidate"), keys]), to: target)
        } else if mode.redirect != 0 && target.subscriber.isSubscribed {
            mail(.array([.bulk("message"), .bulk("__redis__:invalidate"), keys]), to: target)
        }
    }

    private func mail(_ message: RedisValue, to target: StubClientInfo) {
        if target.id == current {
            target.subscriber.deliverAfterReply(message)
        } else {
            target.subscriber.deliver(message)
        }
        sent += 1
    }
}
