import CHiredis
import RedisClientCore
import RedisStub

/// Splits a client's byte stream into commands: RESP multibulk requests through hiredis's
/// reader, inline requests (`PING\r\n`) by redis-cli's quoting rules, with Redis's limits and
/// protocol errors.
final class RequestReader {
    enum Next {
        case command(RedisCommandArgv)
        case needMore
        /// Answered as `-ERR Protocol error: ...`, then the connection is closed.
        case protocolError(String)
    }

    static let maxInlineLength = 64 * 1024
    static let maxMultibulkLength = 1024 * 1024
    static let maxBufferedBytes = 64 * 1024 * 1024

    private var reader: UnsafeMutablePointer<redisReader>
    /// Bytes not handed to hiredis yet.
    private var pending: [UInt8] = []

    init() {
        reader = redisReaderCreate()
    }

    deinit {
        redisReaderFree(reader)
    }

    func feed(_ bytes: ArraySlice<UInt8>) {
        pending.append(contentsOf: bytes)
    }

    private var readerHoldsBytes: Bool { reader.pointee.pos < reader.pointee.len }

    func next() -> Next {
        while true {
            if readerHoldsBytes || (pending.first == UInt8(ascii: "*")) {
                if let problem = checkMultibulkHeader() { return .protocolError(problem) }
                if !pending.isEmpty {
                    pending.withUnsafeBufferPointer { buffer in
                        buffer.withMemoryRebound(to: CChar.self) { _ = redisReaderFeed(reader, $0.baseAddress, $0.count) }
                    }
                    pending.removeAll(keepingCapacity: true)
                }
                var raw: UnsafeMutableRawPointer?
                guard redisReaderGetReply(reader, &raw) == REDIS_OK else {
                    return .protocolError(withUnsafeBytes(of: reader.pointee.errstr) { bytes in
                        String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
                    })
                }
                guard let raw else {
                    if reader.pointee.len - reader.pointee.pos > Self.maxBufferedBytes { return .protocolError("too big request") }
                    return .needMore
                }
                defer { freeReplyObject(raw) }
                takeBackInlineBytes()
                switch Self.arguments(of: raw.assumingMemoryBound(to: redisReply.self)) {
                case .success(let command) where command.isEmpty: continue
                case .success(let command): return .command(command)
                case .failure(let problem): return .protocolError(problem.message)
                }
            }
            guard !pending.isEmpty else { return .needMore }
            guard let newline = pending.firstIndex(of: 10) else {
                return pending.count > Self.maxInlineLength ? .protocolError("too big inline request") : .needMore
            }
            var line = Array(pending[..<newline])
            pending.removeFirst(newline + 1)
            if line.last == 13 { line.removeLast() }
            guard let command = CommandLineSplitter.split(line) else {
                return .protocolError("unbalanced quotes in request")
            }
            if !command.isEmpty { return .command(command) }
        }
    }

    /// After a multibulk request, an inline one may follow: hand the rest back from hiredis.
    private func takeBackInlineBytes() {
        guard readerHoldsBytes, readerRemainder().first != UInt8(ascii: "*") else { return }
        let rest = Array(readerRemainder())
        redisReaderFree(reader)
        reader = redisReaderCreate()
        pending = rest + pending
    }

    /// hiredis 0.14 allocates a multibulk's element array up front: refuse a huge count before
    /// the reader sees it, with Redis's own message. Checked whenever a new request begins.
    private func checkMultibulkHeader() -> String? {
        guard reader.pointee.ridx == -1 else { return nil }
        let remainder = readerRemainder()
        // The header's bytes, from hiredis's buffer first, then from what it has not seen yet.
        func byte(_ index: Int) -> UInt8? {
            index < remainder.count ? remainder[index] : (index - remainder.count < pending.count ? pending[index - remainder.count] : nil)
        }
        guard byte(0) == UInt8(ascii: "*") else { return nil }
        var count = 0
        var index = 1
        while let digit = byte(index), digit != 13, digit != 10 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) || (index == 1 && digit == UInt8(ascii: "-")) else {
                return "invalid multibulk length"
            }
            if digit != UInt8(ascii: "-") { count = count * 10 + Int(digit - UInt8(ascii: "0")) }
            guard count <= Self.maxMultibulkLength, index <= 20 else { return "invalid multibulk length" }
            index += 1
        }
        return nil
    }

    private func readerRemainder() -> UnsafeRawBufferPointer {
        guard readerHoldsBytes, let buffer = reader.pointee.buf else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: UnsafeRawPointer(buffer) + reader.pointee.pos, count: reader.pointee.len - reader.pointee.pos)
    }

    struct Problem: Error { let message: String }

    /// A request is an array of bulk strings; `*0` and `*-1` are empty requests.
    private static func arguments(of reply: UnsafeMutablePointer<redisReply>) -> Result<RedisCommandArgv, Problem> {
        let node = reply.pointee
        guard node.type == REDIS_REPLY_ARRAY else { return .success([]) }
        var command: RedisCommandArgv = []
        command.reserveCapacity(Int(node.elements))
        for index in 0..<Int(node.elements) {
            let element = node.element[index]!.pointee
            guard element.type == REDIS_REPLY_STRING else {
                return .failure(Problem(message: "expected '$', got '\(typeMarker(element.type))'"))
            }
            command.append(Array(UnsafeRawBufferPointer(start: element.str, count: Int(element.len))))
        }
        return .success(command)
    }

    private static func typeMarker(_ type: Int32) -> Character {
        switch type {
        case REDIS_REPLY_INTEGER: return ":"
        case REDIS_REPLY_ARRAY: return "*"
        case REDIS_REPLY_STATUS: return "+"
        case REDIS_REPLY_ERROR: return "-"
        default: return "?"
        }
    }
}
