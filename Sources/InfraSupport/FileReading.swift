#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be read, naming it.
public struct FileReadError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot read '\(path)': \(reason)" }
}

/// Reads a whole file without Foundation, which the health check must not pull in. Only a
/// regular file (or a symlink to one) unless told otherwise: a FIFO given by mistake would
/// block forever, a device would never end.
public func readWholeFile(_ path: String, limit: Int = 1 << 20, regularFileOnly: Bool = true) throws(FileReadError) -> [UInt8] {
    // O_NONBLOCK: opening a FIFO must not wait for a writer before the check below refuses it.
    let fd = open(path, O_RDONLY | O_CLOEXEC | (regularFileOnly ? O_NONBLOCK : 0))
    guard fd >= 0 else { throw FileReadError(path: path, reason: errnoText()) }
    defer { close(fd) }
    if regularFileOnly {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw FileReadError(path: path, reason: errnoText()) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            let kind = switch status.st_mode & S_IFMT {
            case S_IFDIR: "a directory"
            case S_IFIFO: "a FIFO"
            case S_IFCHR, S_IFBLK: "a device"
            case S_IFSOCK: "a socket"
            default: "not a regular file"
            }
            throw FileReadError(path: path, reason: "it is \(kind), not a regular file")
        }
    }
    var contents: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw FileReadError(path: path, reason: errnoText())
        }
        if count == 0 { break }
        contents.append(contentsOf: chunk[0..<count])
        if contents.count > limit { throw FileReadError(path: path, reason: "it is larger than \(limit) bytes") }
    }
    return contents
}

/// The text of the last system error.
public func errnoText() -> String {
    String(cString: strerror(errno))
}

