/// Every way a Redis call can fail. Transport errors carry hiredis's `errstr`; server errors
/// carry Redis's own text (`WRONGTYPE ...`, `NOSCRIPT ...`) unchanged.
public enum RedisError: Error, Sendable, Equatable {
    case connectionRefused(String)
    case timedOut(String)
    case connectionClosed(String)
    case authenticationFailed(String)
    case protocolError(String)
    case io(String)
    /// An error reply from the server.
    case server(String)
    /// A `NOPERM` reply: the ACL user may not run this command or touch this key.
    case permissionDenied(String)
    /// A reply of a shape the typed command did not expect.
    case unexpectedReply(command: String, reply: RedisValue)
    /// `decodeResponses` is on and a bulk reply is not UTF-8.
    case invalidUTF8(command: String)
    case invalidURL(RedisURLError)
    case unsupported(String)
    case settings(String)
    /// Every Sentinel that answered said it knows no master by that name: a wrong master name
    /// in the URL, not an outage.
    case unknownMaster(String)
    /// A TLS handshake or certificate failure, saying which.
    case tls(TLSFailure)
    /// A cluster command whose keys live in different slots, refused before it is sent: no
    /// node could run it. The message names each key's slot.
    case crossSlot(String)

    /// A short stable name, used as the `error` / `reason` metric label.
    public var kind: String {
        switch self {
        case .connectionRefused: return "refused"
        case .timedOut: return "timeout"
        case .connectionClosed: return "closed"
        case .authenticationFailed: return "auth"
        case .protocolError: return "protocol"
        case .io: return "io"
        case .server: return "server"
        case .permissionDenied: return "noperm"
        case .unexpectedReply: return "unexpected_reply"
        case .invalidUTF8: return "invalid_utf8"
        case .invalidURL: return "invalid_url"
        case .unsupported: return "unsupported"
        case .settings: return "settings"
        case .unknownMaster: return "unknown_master"
        case .tls: return "tls"
        case .crossSlot: return "crossslot"
        }
    }
}

extension RedisError {
    /// The typed error for an error reply: `NOPERM` apart, the server's text as is.
    public static func reply(_ message: String) -> RedisError {
        message.hasPrefix("NOPERM") ? .permissionDenied(message) : .server(message)
    }
}

extension RedisError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .connectionRefused(let reason): return "connection refused (\(reason))"
        case .timedOut(let reason): return "timed out (\(reason))"
        case .connectionClosed(let reason): return "connection closed (\(reason))"
        case .authenticationFailed(let reason): return "authentication failed (\(reason))"
        case .protocolError(let reason): return "protocol error (\(reason))"
        case .io(let reason): return "I/O error (\(reason))"
        case .server(let message): return message
        case .permissionDenied(let message): return message
        case .unexpectedReply(let command, let reply): return "unexpected reply to \(command): \(reply)"
        case .invalidUTF8(let command): return "reply to \(command) is not valid UTF-8 (decodeResponses is on)"
        case .invalidURL(let error): return error.description
        case .unsupported(let what): return what
        case .settings(let what): return what
        case .unknownMaster(let what): return what
        case .tls(let failure): return "TLS: \(failure)"
        case .crossSlot(let message): return message
        }
    }
}
