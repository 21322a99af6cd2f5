/// Where the factory found the URL it used.
public enum URLSource: Sendable, Equatable, CustomStringConvertible {
    case explicit
    case settings(key: String)
    case environment(key: String)
    case `default`

    public var description: String {
        switch self {
        case .explicit: return "explicit"
        case .settings(let key): return "settings \(key)"
        case .environment(let key): return "env \(key)"
        case .default: return "default"
        }
    }
}

public struct ResolvedURL: Sendable, Equatable {
    public var url: RedisURL
    public var source: URLSource
}

public enum URLResolution {
    public static let defaultURL = "redis://127.0.0.1:6379"
    /// The order the Python original used; dashboards and runbooks depend on it.
    public static let keys = ["EMBEDDINGS_REDIS_URL", "REDIS_URL"]

    /// `preferredURL` › settings `EMBEDDINGS_REDIS_URL` › env `EMBEDDINGS_REDIS_URL` ›
    /// settings `REDIS_URL` › env `REDIS_URL` › `redis://127.0.0.1:6379`. Empty values count as
    /// unset, as they did in the original's `or` chain.
    public static func resolve(
        preferredURL: String?,
        settings: RedisSettings,
        environment: (String) -> String?
    ) throws(RedisError) -> ResolvedURL {
        let (text, source) = select(preferredURL: preferredURL, settings: settings, environment: environment)
        do {
            return ResolvedURL(url: try RedisURL(parsing: text), source: source)
        } catch {
            throw .invalidURL(error)
        }
    }

    static func select(
        preferredURL: String?,
        settings: RedisSettings,
        environment: (String) -> String?
    ) -> (String, URLSource) {
        if let preferredURL, !preferredURL.isEmpty { return (preferredURL, .explicit) }
        for key in keys {
            if let value = settings[key], !value.isEmpty { return (value, .settings(key: key)) }
            if let value = environment(key), !value.isEmpty { return (value, .environment(key: key)) }
        }
        return (defaultURL, .default)
    }
}
