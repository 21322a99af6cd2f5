extension RedisConnection {
    /// Answers how many subscribers received the message.
    @discardableResult
    public func publish(_ channel: String, _ message: some RedisArgument) throws -> Int {
        try call(argv("PUBLISH", channel, message)).int()
    }
}
