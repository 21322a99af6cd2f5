/// Bytes to and from one server, each call bounded by a deadline. The plain socket and TLS
/// both conform; the Redis protocol above them (RESPEncoder out, hiredis's reader in) is shared.
protocol ByteStream: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant) throws(RedisError)
    /// At least one byte, or an error (EOF is ``RedisError/connectionClosed(_:)``).
    func read(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant) throws(RedisError) -> Int
    func close()
}
