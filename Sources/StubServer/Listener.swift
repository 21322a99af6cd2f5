#if canImport(Glibc)
import Glibc
#endif

extension StubServer {
    static func listen(on endpoint: Endpoint) throws(StubServerError) -> (Int32, Endpoint) {
        switch endpoint {
        case .tcp(let host, let port):
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw .init("socket: \(String(cString: strerror(errno)))") }
            var on: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
                close(fd)
                throw .init("'\(host)' is not an IPv4 address to bind")
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(fd, pointer, length) == 0 && Glibc.listen(fd, 511) == 0 && getsockname(fd, pointer, &length) == 0
                }
            }
            guard bound else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw .init("cannot listen on \(host):\(port): \(reason)")
            }
            return (fd, .tcp(host: host, port: Int(UInt16(bigEndian: address.sin_port))))
        case .unix(let path):
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw .init("socket: \(String(cString: strerror(errno)))") }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let capacity = MemoryLayout.size(ofValue: address.sun_path)
            guard path.utf8.count < capacity else {
                close(fd)
                throw .init("unix socket path is longer than \(capacity - 1) bytes")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: path.utf8)
                raw[path.utf8.count] = 0
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 && Glibc.listen(fd, 511) == 0
                }
            }
            guard bound else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw .init("cannot listen on \(path): \(reason)")
            }
            chmod(path, 0o700)
            return (fd, endpoint)
        }
    }
}

public struct StubServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
