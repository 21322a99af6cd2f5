/// LZF, the compression Redis applies to strings longer than 20 bytes in a DUMP payload.
/// Compression follows liblzf 3.6 as Redis builds it (a 2^16-slot hash table of 3-byte
/// prefixes, its "very fast" hash and re-seeding after each match), so that the stub's
/// payloads are Redis's byte for byte; decompression takes any valid LZF.
enum LZF {
    private static let maxLiteral = 32, maxOffset = 8192, maxReference = 264

    /// The compressed bytes, or nil when they would not fit in `limit` bytes (Redis asks for
    /// at most the input's length less 4, and stores the string plain otherwise).
    static func compress(_ input: [UInt8], limit: Int) -> [UInt8]? {
        guard !input.isEmpty, limit > 0 else { return nil }
        var table = [UInt32](repeating: 0, count: 1 << 16)
        var output: [UInt8] = [0]
        output.reserveCapacity(limit + 1)
        var literals = 0
        var position = 0
        let end = input.count
        func index(_ hash: UInt32) -> Int { Int(((hash >> 8) &- hash &* 5) & 0xFFFF) }
        func first(_ at: Int) -> UInt32 { UInt32(input[at]) << 8 | UInt32(input[at + 1]) }
        func next(_ hash: UInt32, _ at: Int) -> UInt32 { hash << 8 | UInt32(input[at + 2]) }
        // The slot of the literal run being written is output[output.count - literals - 1].
        func closeRun() { output[output.count - literals - 1] = UInt8(truncatingIfNeeded: literals - 1) }
        /// One byte into the run; a full run is closed and the next one begun.
        func copyLiteral() {
            literals += 1
            output.append(input[position])
            position += 1
            if literals == maxLiteral {
                closeRun()
                literals = 0
                output.append(0)
            }
        }

        guard end >= 2 else { return literal(input, limit: limit) }
        var hash = first(0)
        while position < end - 2 {
            hash = next(hash, position)
            let slot = index(hash)
            let reference = Int(table[slot])
            table[slot] = UInt32(position)
            let offset = position - reference - 1
            if reference > 0 && reference < position && offset < maxOffset
                && input[reference + 2] == input[position + 2] && input[reference] == input[position] && input[reference + 1] == input[position + 1] {
                var length = 2
                let maxLength = min(end - position - length, maxReference)
                if output.count + 3 + 1 >= limit && output.count - (literals == 0 ? 1 : 0) + 3 + 1 >= limit { return nil }
                closeRun()
                if literals == 0 { output.removeLast() }
                // liblzf compares 16 bytes unrolled before its loop when more may match: a match
                // that runs that far may end up to two bytes past maxLength.
                var unrolledAll = false
                if maxLength > 16 {
                    unrolledAll = true
                    for _ in 0..<16 {
                        length += 1
                        if input[reference + length] != input[position + length] { unrolledAll = false; break }
                    }
                }
                if maxLength <= 16 || unrolledAll {
                    repeat { length += 1 } while length < maxLength && input[reference + length] == input[position + length]
                }
                length -= 2
                position += 1
                if length < 7 {
                    output.append(UInt8(truncatingIfNeeded: (offset >> 8) + (length << 5)))
                } else {
                    output.append(UInt8(truncatingIfNeeded: (offset >> 8) + (7 << 5)))
                    output.append(UInt8(truncatingIfNeeded: length - 7))
                }
                output.append(UInt8(truncatingIfNeeded: offset))
                literals = 0
                output.append(0)
                position += length + 1
                if position >= end - 2 { break }
                position -= 2
                hash = first(position)
                hash = next(hash, position)
                table[index(hash)] = UInt32(position)
                position += 1
                hash = next(hash, position)
                table[index(hash)] = UInt32(position)
                position += 1
            } else {
                if output.count >= limit { return nil }
                copyLiteral()
            }
        }
        if output.count + 3 > limit { return nil }
        while position < end { copyLiteral() }
        closeRun()
        if literals == 0 { output.removeLast() }
        return output
    }

    /// Inputs of under 3 bytes are literals only.
    private static func literal(_ input: [UInt8], limit: Int) -> [UInt8]? {
        let output = [UInt8(input.count - 1)] + input
        return output.count <= limit ? output : nil
    }

    /// The original bytes, or nil when the data is not LZF of `length` bytes.
    static func decompress(_ input: [UInt8], length: Int) -> [UInt8]? {
        var output: [UInt8] = []
        // A back-reference of 3 bytes yields at most 264: a payload cannot claim more than that.
        output.reserveCapacity(min(length, input.count * 88))
        var position = 0
        while position < input.count {
            let control = Int(input[position])
            position += 1
            if control < 32 {
                let count = control + 1
                guard position + count <= input.count, output.count + count <= length else { return nil }
                output += input[position..<(position + count)]
                position += count
            } else {
                var count = control >> 5
                if count == 7 {
                    guard position < input.count else { return nil }
                    count += Int(input[position])
                    position += 1
                }
                guard position < input.count else { return nil }
                let back = ((control & 0x1F) << 8) + Int(input[position]) + 1
                position += 1
                count += 2
                guard back <= output.count, output.count + count <= length else { return nil }
                let start = output.count - back
                for index in 0..<count { output.append(output[start + index]) }
            }
        }
        return output.count == length ? output : nil
    }
}
