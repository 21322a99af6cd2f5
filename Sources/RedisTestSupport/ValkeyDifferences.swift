import Foundation
import RedisFactory

/// Where Valkey (9.1.2, the one here) answers differently from Redis 7.0 — and so from the stub,
/// which answers as Redis 7.0 does. The stub's differential suites, run against Valkey, accept a
/// differing reply only when one of these explains it; any other difference fails them, so a
/// new one is seen, understood and added here (docs/stub.md lists them).
public enum ValkeyDifferences {
    public struct Difference: Sendable {
        public let name: String
        /// What differs and why, for docs/stub.md.
        public let why: String
    }

    /// Why two replies differ, and what brings both sides back to the same data.
    public struct Explanation {
        public var differences: [Difference]
        /// Sent to the stub (Redis 7.0's side) afterwards.
        public var stubUndo: [[String]] = []
        /// Sent to the server (Valkey) afterwards.
        public var serverUndo: [[String]] = []

        /// Sends each side its undo commands, so both hold the same data again.
        public func reconcile(stub: (RedisCommandArgv) throws -> RedisValue, server: (RedisCommandArgv) throws -> RedisValue) throws {
            for undo in stubUndo { _ = try stub(undo.map { Array($0.utf8) }) }
            for undo in serverUndo { _ = try server(undo.map { Array($0.utf8) }) }
        }
    }

    public static let errorTexts = Difference(
        name: "error texts",
        why: "Valkey rewords some errors: NOSCRIPT without \"Please use EVAL.\", \"command\" or \"Valkey command\" where Redis 7.0 says \"Redis command\" in script errors, XREAD's and XREADGROUP's unbalanced streams named by the command (with '>' for XREADGROUP), redis.log's \"Invalid log level.\" for \"Invalid debug level.\", a script's error without the script's SHA1 or the function's name (\"script: on @user_script:1.\"), a geo search's missing member as \"ERR member m does not exist\" (Redis 7.0: \"could not decode requested zset member\"), and a shebang's unknown engine as \"Could not find scripting engine 'python'\""
    )
    public static let shortestFloats = Difference(
        name: "shortest float text",
        why: "Valkey writes a double in the fewest digits that read back to it (0.1), where Redis 7.0 writes 17 significant digits (0.10000000000000001): the same number"
    )
    public static let hexadecimalScores = Difference(
        name: "hexadecimal scores",
        why: "Valkey refuses a sorted-set score written in hexadecimal (ZADD z 0x10 m) with \"ERR value is not a valid float\", where Redis 7.0 (and the stub) read it with strtod as 16; the member the stub added is removed again so the rest of the sequence compares"
    )
    public static let nestedMulti = Difference(
        name: "MULTI or WATCH inside a transaction",
        why: "Valkey refuses MULTI and WATCH inside a transaction as commands not allowed there (\"ERR Command 'multi' not allowed inside a transaction\") and so aborts the transaction at EXEC (EXECABORT), where Redis 7.0 answers \"ERR MULTI calls can not be nested\" or \"ERR WATCH inside MULTI is not allowed\" and runs the rest; both sides DISCARD then, and the sequence goes on outside a transaction"
    )
    public static let expiryBeforeKey = Difference(
        name: "GETEX's expiry checked before its key",
        why: "Valkey refuses a bad GETEX expiry (\"ERR invalid expire time in 'getex' command\") before it looks up the key, where Redis 7.0 looks up the key first and answers nil for a missing one or WRONGTYPE for another type; neither side changes anything"
    )
    public static let encodings = Difference(
        name: "encodings",
        why: "Valkey keeps Redis 7.2's encodings: a small set of strings is a listpack (OBJECT ENCODING), CONFIG GET also lists set-max-listpack-entries and -value, and OBJECT REFCOUNT of a small integer is 1 (no shared integers); replies only, no data differs"
    )
    public static let bitmapArguments = Difference(
        name: "bitmap arguments",
        why: "Valkey checks BITCOUNT's and BITPOS's arguments before it looks up the key (a bad range or unit is an error even on a missing or wrong-typed key, where Redis 7.0 answers 0, -1 or WRONGTYPE first), and takes BITCOUNT key start without an end, which Redis 7.0 refuses as a syntax error; both commands only read"
    )
    public static let standaloneAnswers = Difference(
        name: "standalone answers",
        why: "Valkey answers READONLY and READWRITE with OK on a standalone server, where Redis 7.0 says cluster support is disabled, and its ROLE counts a replication offset where Redis 7.0's stays 0 without replicas; neither changes data"
    )
    public static let hugeTimeouts = Difference(
        name: "timeouts past 2^63 ms",
        why: "Valkey refuses a blocking command's timeout too large for a 64-bit count of milliseconds (BLPOP k 1e400) as \"ERR timeout is out of range\", where Redis 7.0's conversion overflows to a negative number and answers \"ERR timeout is negative\"; neither blocks or changes anything"
    )
    public static let xreadLastEntry = Difference(
        name: "XREAD +",
        why: "Valkey (as Redis 7.4) reads XREAD's id `+` as the stream's last entry, which Redis 7.0 refuses as an invalid stream ID; XREAD only reads"
    )
    public static let blockingInScripts = Difference(
        name: "blocking commands in scripts",
        why: "Valkey lets a script call BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN and BZPOPMAX, which answer at once there, where Redis 7.0 refuses them (\"This Redis command is not allowed from script\"); neither blocks"
    )
    public static let xsetidBelowDeleted = Difference(
        name: "XSETID below a deleted id",
        why: "Valkey refuses XSETID to an id below the stream's highest deleted id (\"ERR The ID specified in XSETID is smaller than current max_deleted_entry_id\"), which Redis 7.0 accepts on a stream whose entries are all gone; both sides delete the key then"
    )
    public static let latencyTexts = Difference(
        name: "LATENCY's and MEMORY's texts",
        why: "Valkey's LATENCY DOCTOR names Valkey and drops Redis's last sentence, and its LATENCY HELP and MEMORY HELP word their lines otherwise (\"Print this help.\"); they only describe"
    )
    public static let lolwut = Difference(
        name: "LOLWUT",
        why: "Valkey's LOLWUT draws for its own version by default, where Redis 7.0 prints its version line, and signs its drawings with Valkey's name and version; it only prints"
    )
    public static let dumpPayloads = Difference(
        name: "DUMP payloads",
        why: "Valkey's DUMP writes its own RDB version and its own encodings (small sets as listpacks), where the stub writes Redis 7.0's version 10 byte for byte; both restore either"
    )
    public static let aclTexts = Difference(
        name: "ACL's answers",
        why: "Valkey's default user also lists sanitize-payload, its categories and their commands are Valkey's, and its ACL HELP words its lines otherwise; the stub answers as Redis 7.0's default user"
    )
    public static let noOpTrim = Difference(
        name: "a no-op LTRIM and WATCH",
        why: "Valkey does not count an LTRIM that removes nothing as a modification of the watched list, where Redis 7.0 signals every LTRIM; the transaction probing it is empty either way"
    )
    public static let luaTables = Difference(
        name: "Lua's tables",
        why: "Valkey's Lua walks a table's fields in another order, so a map a script returns (or a RESP3 map it got from redis.call with redis.setresp(3)) reaches a RESP2 caller with its pairs in another order, and it writes the NaN a script makes as nan where Redis 7.0 writes -nan; the same pairs, the same value"
    )
    public static let all = [
        errorTexts, shortestFloats, hexadecimalScores, nestedMulti, expiryBeforeKey, encodings, bitmapArguments, standaloneAnswers, hugeTimeouts,
        xreadLastEntry, blockingInScripts, xsetidBelowDeleted, latencyTexts, lolwut, dumpPayloads, aclTexts, noOpTrim, luaTables,
    ]

    /// Error texts Valkey rewords, as (Redis 7.0's words, Valkey's words), each replaced in
    /// Redis's text before comparing.
    static let rewordings: [(redis: String, valkey: String)] = [
        ("NOSCRIPT No matching script. Please use EVAL.", "NOSCRIPT No matching script."),
        ("Unknown Redis command called from script", "Unknown command called from script"),
        ("This Redis command is not allowed from script", "This Valkey command is not allowed from script"),
        ("Please specify at least one argument for this redis lib call", "Please specify at least one argument for this call"),
        ("Lua redis lib command arguments must be strings or integers", "Command arguments must be strings or integers"),
        ("Wrong number of args calling Redis command from script", "Wrong number of args calling command from script"),
        ("ERR Invalid debug level.", "ERR Invalid log level."),
        ("This Redis instance is not configured to use an ACL file", "This instance is not configured to use an ACL file"),
        ("(assuming you have a Redis configuration file set) in order to store users in the Redis configuration.",
         "(assuming you have a configuration file set) in order to store users in the configuration."),
    ]

    /// What explains Redis 7.0's reply `redis` (the stub's) and Valkey's `valkey` to `command`,
    /// if the listed differences do; only when the suites run against Valkey (against Redis,
    /// every difference is the stub's).
    public static func explanation(of command: [String], redis: RedisValue, valkey: RedisValue) -> Explanation? {
        guard ServerEngine.current == .valkey else { return nil }
        let name = command.first?.uppercased() ?? ""
        if name == "ZADD", command.contains(where: isHexadecimal), valkey.errorMessage?.contains("not a valid float") == true, redis.errorMessage == nil {
            let pairs = Array(command.dropFirst(2).drop { Double($0) == nil && !isHexadecimal($0) })
            let members = stride(from: 0, to: pairs.count - 1, by: 2).filter { isHexadecimal(pairs[$0]) }.map { pairs[$0 + 1] }
            return Explanation(differences: [hexadecimalScores], stubUndo: members.isEmpty ? [] : [["ZREM", command[1]] + members])
        }
        if (name == "MULTI" && redis.errorMessage == "ERR MULTI calls can not be nested" || name == "WATCH" && redis.errorMessage == "ERR WATCH inside MULTI is not allowed"),
           valkey.errorMessage == "ERR Command '\(name.lowercased())' not allowed inside a transaction" {
            return Explanation(differences: [nestedMulti], stubUndo: [["DISCARD"]], serverUndo: [["DISCARD"]])
        }
        if name == "OBJECT", command.count == 3, ["ENCODING", "REFCOUNT"].contains(command[1].uppercased()), redis.errorMessage == nil, valkey.errorMessage == nil {
            return Explanation(differences: [encodings])
        }
        if name == "CONFIG", command.count > 2, command[1].uppercased() == "GET", case .array(let ours) = redis, case .array(let theirs) = valkey,
           Set(ours.map(\.description)).isSubset(of: Set(theirs.map(\.description))) {
            return Explanation(differences: [encodings])
        }
        if name == "XREAD", command.contains("+"), redis.errorMessage == "ERR Invalid stream ID specified as stream command argument" {
            return Explanation(differences: [xreadLastEntry])
        }
        if name.hasPrefix("EVAL"), redis.errorMessage?.hasPrefix("ERR This Redis command is not allowed from script") == true,
           command.contains(where: { $0.range(of: #"'(BLPOP|BRPOP|BLMOVE|BRPOPLPUSH|BZPOPMIN|BZPOPMAX)'"#, options: [.regularExpression, .caseInsensitive]) != nil }) {
            return Explanation(differences: [blockingInScripts])
        }
        if name == "XSETID", redis.errorMessage == nil, valkey.errorMessage == "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id" {
            return Explanation(differences: [xsetidBelowDeleted], stubUndo: [["DEL", command[1]]], serverUndo: [["DEL", command[1]]])
        }
        if ["LATENCY", "MEMORY"].contains(name), command.count == 2, ["DOCTOR", "HELP"].contains(command[1].uppercased()) {
            return Explanation(differences: [latencyTexts])
        }
        if name == "DUMP", redis.errorMessage == nil, redis != .null, valkey.errorMessage == nil {
            return Explanation(differences: [dumpPayloads])
        }
        if name == "ACL", command.count > 1, ["LIST", "GETUSER", "CAT", "HELP"].contains(command[1].uppercased()) {
            return Explanation(differences: [aclTexts])
        }
        // The differential suite's WATCH probe: an empty MULTI/EXEC after the watched command.
        if name == "EXEC", redis == .null, valkey == .array([]) {
            return Explanation(differences: [noOpTrim])
        }
        if name == "LOLWUT" {
            return Explanation(differences: [lolwut])
        }
        if ["ROLE", "READONLY", "READWRITE"].contains(name) {
            return Explanation(differences: [standaloneAnswers])
        }
        if ["BITCOUNT", "BITPOS"].contains(name), redis.errorMessage != nil || valkey.errorMessage != nil {
            return Explanation(differences: [bitmapArguments])
        }
        if name == "GETEX", valkey.errorMessage == "ERR invalid expire time in 'getex' command",
           redis == .null || redis.errorMessage?.hasPrefix("WRONGTYPE") == true {
            return Explanation(differences: [expiryBeforeKey])
        }
        if name.hasPrefix("EVAL"), redis == .bulkString(Array("-nan".utf8)) && valkey == .bulkString(Array("nan".utf8)) || pairsAgree(redis, valkey) {
            return Explanation(differences: [luaTables])
        }
        var used: [Difference] = []
        guard agree(redis, valkey, command: command, used: &used) else { return nil }
        return Explanation(differences: used)
    }

    /// Whether the replies hold the same name-value pairs at every depth, in any order.
    static func pairsAgree(_ redis: RedisValue, _ valkey: RedisValue) -> Bool {
        func canonical(_ value: RedisValue) -> String {
            guard case .array(let elements) = value else { return value.description }
            let parts = elements.map(canonical)
            guard parts.count % 2 == 0 else { return parts.description }
            return stride(from: 0, to: parts.count, by: 2).map { [parts[$0], parts[$0 + 1]] }.sorted { $0.description < $1.description }.description
        }
        return redis != valkey && canonical(redis) == canonical(valkey)
    }

    /// Whether the replies agree but for reworded errors and numbers written two ways, at any depth.
    static func agree(_ redis: RedisValue, _ valkey: RedisValue, command: [String], used: inout [Difference]) -> Bool {
        if redis == valkey { return true }
        switch (redis, valkey) {
        case (.array(let left), .array(let right)):
            guard left.count == right.count else { return false }
            for (l, r) in zip(left, right) where !agree(l, r, command: command, used: &used) { return false }
            return true
        case (.error("ERR timeout is negative"), .error("ERR timeout is out of range")):
            used.append(hugeTimeouts)
            return true
        // A geo search from a missing member: Valkey names the member.
        case (.error("ERR could not decode requested zset member"), .error(let right))
            where right.range(of: #"^ERR member .* does not exist$"#, options: .regularExpression) != nil:
            used.append(errorTexts)
            return true
        case (.error(let left), .error(let right)):
            guard reworded(left, command: command) == right || unbalancedStreams(left, right) else { return false }
            used.append(errorTexts)
            return true
        default:
            guard let left = redis.string, let right = valkey.string, let a = Double(left), let b = Double(right), a == b else { return false }
            used.append(shortestFloats)
            return true
        }
    }

    static func reworded(_ text: String, command: [String]) -> String {
        var text = text
        for (redis, valkey) in rewordings { text = text.replacingOccurrences(of: redis, with: valkey) }
        // "script: <sha1>, on @user_script:1." → "script: on @user_script:1." (a function's name too)
        text = text.replacingOccurrences(of: #"script: [^ ,]+, on @"#, with: "script: on @", options: .regularExpression)
        // "Unexpected engine in script shebang: #!python" → "Could not find scripting engine 'python'"
        text = text.replacingOccurrences(of: #"Unexpected engine in script shebang: #!(\S*)"#, with: "Could not find scripting engine '$1'", options: .regularExpression)
        return text
    }

    /// XREAD's and XREADGROUP's unbalanced streams (at the top or inside EXEC's reply): Valkey
    /// names the command, and `>` for XREADGROUP, where Redis 7.0 says XREAD and `$` for both.
    static func unbalancedStreams(_ redis: String, _ valkey: String) -> Bool {
        redis == "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
            && ["ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.",
                "ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified."].contains(valkey)
    }

    static func isHexadecimal(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        return digits.lowercased().hasPrefix("0x")
    }
}
