import Foundation

/// Certificates made for one test with the `openssl` command line: a CA, a server certificate
/// for 127.0.0.1 and the host names asked for (localhost by default), an expired one, a client certificate, and a second, unrelated
/// CA (the wrong one to trust).
public struct TestCertificates: Sendable {
    public let directory: URL
    public var ca: String { path("ca.crt") }
    public var otherCA: String { path("other-ca.crt") }
    public var serverCertificate: String { path("server.crt") }
    public var expiredCertificate: String { path("expired.crt") }
    public var serverKey: String { path("server.key") }
    public var clientCertificate: String { path("client.crt") }
    public var clientKey: String { path("client.key") }

    public static func make(serverNames: [String] = ["localhost"]) throws -> TestCertificates {
        let certificates = TestCertificates(directory: try makeTemporaryDirectory(prefix: "tls-certs"))
        try certificates.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=redis-infra test CA"])
        try certificates.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.crt", "-days", "2", "-subj", "/CN=some other CA"])
        let names = serverNames.map { "DNS:\($0)" }.joined(separator: ",")
        try "subjectAltName=\(names),IP:127.0.0.1\n".write(to: certificates.directory.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        try certificates.openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=\(serverNames.first ?? "localhost")"])
        for (name, days) in [("server.crt", "2"), ("expired.crt", "-1")] {
            try certificates.openssl([
                "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name, "-days", days, "-extfile", "server.ext",
            ])
        }
        try certificates.openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=app"])
        try certificates.openssl(["x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.crt", "-days", "2"])
        return certificates
    }

    public func remove() { try? FileManager.default.removeItem(at: directory) }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestSupportError("openssl \(arguments.prefix(2).joined(separator: " ")) failed") }
    }
}
