import RedisClientCore

/// `LATENCY` as a Redis 7.0 answers with latency monitoring off (its default threshold of 0):
/// no events, nothing to reset, the doctor's refusal. HISTOGRAM has no per-command timings to
/// show (docs/stub.md).
extension StubCommands {
    static let latency: [String: StubCommand] = [
        "latency": StubCommand(-2, subcommands: ["LATEST": 2, "HISTORY": 3, "RESET": -2, "GRAPH": 3, "DOCTOR": 2, "HISTOGRAM": -2, "HELP": 2]) {
            _, command throws(StubError) in
            switch StubParse.upper(command[1]) {
            case "LATEST", "HISTORY", "HISTOGRAM": return .array([])
            case "RESET": return .integer(0)
            case "GRAPH": throw StubError("ERR No samples available for event '\(String(decoding: command[2], as: UTF8.self))'")
            case "DOCTOR": return .bulk(latencyDoctor)
            default: return .array(latencyHelp.map { .simpleString($0) })
            }
        },
    ]

    private static let latencyDoctor = """
        I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \
        "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren't in a deep space \
        mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.

        """

    private static let latencyHelp = [
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR", "    Return a human readable latency analysis report.",
        "GRAPH <event>", "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>", "    Return time-latency samples for the <event> class.",
        "LATEST", "    Return the latest latency samples for all events.",
        "RESET [<event> ...]", "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP", "    Prints this help.",
    ]
}
