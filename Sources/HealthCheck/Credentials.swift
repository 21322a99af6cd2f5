import RedisFactory

#if canImport(Glibc)
import Glibc
#endif

/// Credentials for a probe, from the environment or a mounted file — never from argv, where
/// `ps` would show them. Order: `REDIS_PASSWORD_FILE`, `REDIS_PASSWORD`, `REDISCLI_AUTH`; the
/// URL's own credentials apply when none is set. ACL user: `REDIS_USERNAME`.
public enum ProbeCredentials {
    public static func apply(to options: inout ConnectionOptions, environment: (String) -> String? = { getenv($0).map { String(cString: $0) } }) {
        if let file = environment("REDIS_PASSWORD_FILE"), !file.isEmpty {
            options.passwordFile = file
        } else if let password = environment("REDIS_PASSWORD") ?? environment("REDISCLI_AUTH"), !password.isEmpty {
            options.password = password
        }
        if let user = environment("REDIS_USERNAME"), !user.isEmpty { options.username = user }
    }
}
