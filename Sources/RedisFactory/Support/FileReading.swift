#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file without Foundation, which the health check must not pull in. Only a
/// regular file (or a symlink to one) unless told otherwise: a FIFO given by mistake would
/// block forever, a device would never end.
public func readWholeFile(_ path: String, limit: Int = 1 << 20, regularFileOnly: Bool = true) throws(RedisError) -> [UInt8] {
    // O_NONBLOCK: opening a FIFO must not wait for a writer before the check below refuses it.
    let fd = open(path, O_RDONLY | O_CLOEXEC | (regularFileOnly ? O_NONBLOCK : 0))
    guard fd >= 0 else { throw .settings("cannot read '\(path)': \(errnoText())") }
    defer { close(fd) }
    if regularFileOnly {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .settings("cannot read '\(path)': \(errnoText())") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            let kind = switch status.st_mode & S_IFMT {
            case S_IFDIR: "a directory"
            case S_IFIFO: "a FIFO"
            case S_IFCHR, S_IFBLK: "a device"
            case S_IFSOCK: "a socket"
            default: "not a regular file"
            }
            throw .settings("cannot read '\(path)': it is \(kind), not a regular file")
        }
    }
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

/// The first line of a secret file, as Docker secrets and Kubernetes mount them.
public func readPasswordFile(_ path: String) throws(RedisError) -> String {
    let bytes = try readWholeFile(path, limit: 64 * 1024)
    let firstLine = bytes.prefix(while: { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") })
    guard let password = String(validating: firstLine, as: UTF8.self), !password.isEmpty else {
        throw .settings("password file '\(path)' is empty or not UTF-8")
    }
    return password
}

func errnoText() -> String {
    String(cString: strerror(errno))
}

/// The process environment, read once per call site.
func processEnvironment(_ key: String) -> String? {
    getenv(key).map { String(cString: $0) }
}
