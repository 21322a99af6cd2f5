import RedisClientCore
import Synchronization

/// One session's subscriptions and the messages waiting for it. Subscriptions change under the
/// store's lock, by the session's own commands; the mailbox has a lock of its own, since a
/// publisher on another thread fills it while the session reads it.
public final class StubSubscriber: @unchecked Sendable {
    /// In the order they were made: `UNSUBSCRIBE` without arguments answers in that order.
    var channels: [[UInt8]] = []
    var patterns: [[UInt8]] = []
    var shardChannels: [[UInt8]] = []
    private let mailbox = Mutex<(beforeReply: [RedisValue], afterReply: [RedisValue])>(([], []))
    private let mailCount = Atomic<Int>(0)

    /// Subscribed to anything: the connection is in RESP2's subscribed mode.
    public var isSubscribed: Bool { !channels.isEmpty || !patterns.isEmpty || !shardChannels.isEmpty }

    public var hasMail: Bool { mailCount.load(ordering: .acquiring) > 0 }

    func deliver(_ value: RedisValue) {
        mailbox.withLock { $0.beforeReply.append(value) }
        mailCount.add(1, ordering: .releasing)
    }

    /// What the session's own running command earned that Redis writes after its reply:
    /// tracking invalidations of its own writes.
    func deliverAfterReply(_ value: RedisValue) {
        mailbox.withLock { $0.afterReply.append(value) }
        mailCount.add(1, ordering: .releasing)
    }

    /// Everything waiting, oldest first: confirmations of a multi-channel (un)subscribe beyond
    /// the first, messages, invalidations; with `beforeReply`, only what goes before the
    /// running command's reply.
    public func takeMail(beforeReply: Bool = false) -> [RedisValue] {
        guard hasMail else { return [] }
        let mail = mailbox.withLock { mail in
            defer { mail.beforeReply.removeAll(); if !beforeReply { mail.afterReply.removeAll() } }
            return beforeReply ? mail.beforeReply : mail.beforeReply + mail.afterReply
        }
        mailCount.subtract(mail.count, ordering: .releasing)
        return mail
    }
}

/// The store's channels, patterns and shard channels, each with its subscribers in the order
/// they subscribed (the order Redis delivers in).
final class StubPubSub {
    enum Kind {
        case channel, pattern, shard

        var subscribeWord: String {
            switch self {
            case .channel: "subscribe"
            case .pattern: "psubscribe"
            case .shard: "ssubscribe"
            }
        }

        var unsubscribeWord: String {
            switch self {
            case .channel: "unsubscribe"
            case .pattern: "punsubscribe"
            case .shard: "sunsubscribe"
            }
        }
    }

    private var channels: [[UInt8]: [StubSubscriber]] = [:]
    private var patterns: [[UInt8]: [StubSubscriber]] = [:]
    private var shardChannels: [[UInt8]: [StubSubscriber]] = [:]
    /// Counts publications that reached anyone, so that a server knows when to deliver.
    private(set) var deliveries = 0

    /// `PUBLISH` / `SPUBLISH`: how many received it (a client matching two patterns twice).
    func publish(_ channel: [UInt8], _ message: [UInt8], shard: Bool) -> Int {
        var receivers = 0
        let word = shard ? "smessage" : "message"
        for subscriber in (shard ? shardChannels : channels)[channel] ?? [] {
            subscriber.deliver(.array([.bulk(word), .bulkString(channel), .bulkString(message)]))
            receivers += 1
        }
        if !shard {
            for (pattern, subscribers) in patterns where GlobPattern.matches(pattern, channel) {
                for subscriber in subscribers {
                    subscriber.deliver(.array([.bulk("pmessage"), .bulkString(pattern), .bulkString(channel), .bulkString(message)]))
                    receivers += 1
                }
            }
        }
        if receivers > 0 { deliveries += 1 }
        return receivers
    }

    /// Subscribes to each name (again is a no-op); one confirmation each, with the count after.
    func subscribe(_ subscriber: StubSubscriber, _ kind: Kind, _ names: some Collection<[UInt8]>) -> [RedisValue] {
        names.map { name in
            if !subscriptions(of: subscriber, kind).contains(name) {
                modify(subscriber, kind) { $0.append(name) }
                modifyRegistry(kind) { $0[name, default: []].append(subscriber) }
            }
            return confirmation(kind.subscribeWord, name, subscriber, kind)
        }
    }

    /// Unsubscribes from each name, or from every one when none is named (nil and 0 when there
    /// was none, as Redis answers).
    func unsubscribe(_ subscriber: StubSubscriber, _ kind: Kind, _ names: [[UInt8]]) -> [RedisValue] {
        let word = kind.unsubscribeWord
        let targets = names.isEmpty ? subscriptions(of: subscriber, kind) : names
        if targets.isEmpty { return [.array([.bulk(word), .null, .integer(count(subscriber, kind))])] }
        return targets.map { name in
            if subscriptions(of: subscriber, kind).contains(name) {
                modify(subscriber, kind) { $0.removeAll { $0 == name } }
                modifyRegistry(kind) { registry in
                    registry[name]?.removeAll { $0 === subscriber }
                    if registry[name]?.isEmpty == true { registry[name] = nil }
                }
            }
            return confirmation(word, name, subscriber, kind)
        }
    }

    /// A session that ends or RESETs leaves every channel and pattern.
    func leave(_ subscriber: StubSubscriber) {
        for kind in [Kind.channel, .pattern, .shard] { _ = unsubscribe(subscriber, kind, []) }
    }

    /// PUBSUB CHANNELS / SHARDCHANNELS: the channels with a subscriber.
    func activeChannels(shard: Bool) -> [[UInt8]] { Array((shard ? shardChannels : channels).keys) }

    func subscriberCount(_ channel: [UInt8], shard: Bool) -> Int { (shard ? shardChannels : channels)[channel]?.count ?? 0 }

    /// PUBSUB NUMPAT: distinct patterns subscribed to.
    var patternCount: Int { patterns.count }

    private func confirmation(_ word: String, _ name: [UInt8], _ subscriber: StubSubscriber, _ kind: Kind) -> RedisValue {
        .array([.bulk(word), .bulkString(name), .integer(count(subscriber, kind))])
    }

    /// The count a confirmation carries: channels and patterns together; shard channels apart.
    private func count(_ subscriber: StubSubscriber, _ kind: Kind) -> Int {
        kind == .shard ? subscriber.shardChannels.count : subscriber.channels.count + subscriber.patterns.count
    }

    private func subscriptions(of subscriber: StubSubscriber, _ kind: Kind) -> [[UInt8]] {
        switch kind {
        case .channel: subscriber.channels
        case .pattern: subscriber.patterns
        case .shard: subscriber.shardChannels
        }
    }

    private func modify(_ subscriber: StubSubscriber, _ kind: Kind, _ change: (inout [[UInt8]]) -> Void) {
        switch kind {
        case .channel: change(&subscriber.channels)
        case .pattern: change(&subscriber.patterns)
        case .shard: change(&subscriber.shardChannels)
        }
    }

    private func modifyRegistry(_ kind: Kind, _ change: (inout [[UInt8]: [StubSubscriber]]) -> Void) {
        switch kind {
        case .channel: change(&channels)
        case .pattern: change(&patterns)
        case .shard: change(&shardChannels)
        }
    }
}
