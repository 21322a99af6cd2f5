#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file without Foundation, which the health check must not pull in.
public func readWholeFile(_ path: String, limit: Int = 1 << 20) throws(RedisError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .settings("cannot read '\(path)': \(errnoText())") }
    defer { close(fd) }
    var contents: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw .settings("cannot read '\(path)': \(errnoText())")
        }
        if count == 0 { break }
        contents.append(contentsOf: chunk[0..<count])
        if contents.count > limit { throw .settings("'\(path)' is larger than \(limit) bytes") }
    }
    return contents
}

func errnoText() -> String {
    String(cString: strerror(errno))
}

/// The process environment, read once per call site.
func processEnvironment(_ key: String) -> String? {
    getenv(key).map { String(cString: $0) }
}
