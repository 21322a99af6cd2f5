#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import InfraSupport

/// A file the factory is configured with (settings, a password), its failure a
/// configuration error.
func readConfigurationFile(_ path: String, limit: Int = 1 << 20) throws(RedisError) -> [UInt8] {
    do {
        return try readWholeFile(path, limit: limit)
    } catch {
        throw .settings(error.description)
    }
}

/// The first line of a secret file, as Docker secrets and Kubernetes mount them.
public func readPasswordFile(_ path: String) throws(RedisError) -> String {
    let bytes = try readConfigurationFile(path, limit: 64 * 1024)
    let firstLine = bytes.prefix(while: { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") })
    guard let password = String(validating: firstLine, as: UTF8.self), !password.isEmpty else {
        throw .settings("password file '\(path)' is empty or not UTF-8")
    }
    return password
}

/// The process environment, read once per call site.
func processEnvironment(_ key: String) -> String? {
    getenv(key).map { String(cString: $0) }
}
