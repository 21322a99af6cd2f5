import Foundation
import RedisTestSupport
import Testing

/// The health check as the image ships it: one fully static executable (scripts/test.sh builds
/// it with the Dockerfile's command). It must resolve host names and load OpenSSL at run time.
@Suite struct StaticHealthCheckTests {
    var binary: String {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent(".build-fullstatic/release/redis-healthcheck").path
    }

    @Test func staticProbeJudgesPlainAndTLSServers() throws {
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build it first: scripts/test.sh does")
        let linked = try runSystem("/usr/bin/ldd", [binary])
        #expect(linked.stdout.contains("not a dynamic executable") || linked.stderr.contains("not a dynamic executable"), "\(linked.stdout)")

        let server = try RedisServer.start()
        let plain = try runSystem(binary, ["probe", "--url", "redis://localhost:\(server.port)"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(plain.exitCode == 0, "\(plain.stdout)\(plain.stderr)")
        #expect(plain.stdout == "healthy: master, 0 replicas connected\(ServerEngine.current.answered)\n")

        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let secure = try RedisServer.start(.init(tls: (certificates.serverCertificate, certificates.serverKey, certificates.ca, "no")))
        let tls = try runSystem(binary, ["probe", "--url", "rediss://localhost:\(secure.port)?ssl_ca_certs=\(certificates.ca)"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(tls.exitCode == 0, "\(tls.stdout)\(tls.stderr)")
        #expect(tls.stdout == "healthy: master, 0 replicas connected\(ServerEngine.current.answered)\n")
    }
}
