import Foundation
import RedisTestSupport
import Testing
@testable import RedisClientCore
@testable import RedisFactory
@testable import RedisStub

/// `rediss://` against a real `redis-server` serving TLS only, with certificates made by the
/// `openssl` command line for each run.
@Suite struct TLSClientTests {
    func server(_ certificates: TestCertificates, certificate: String? = nil, authClients: String = "no") throws -> RedisServer {
        try RedisServer.start(.init(tls: (certificate ?? certificates.serverCertificate, certificates.serverKey, certificates.ca, authClients)))
    }

    func connect(_ url: String, tls: TLSOptions? = nil) throws -> RedisClient {
        var options = ConnectionOptions(connectTimeout: .seconds(2))
        options.tls = tls
        return try RedisFactory.makeClient(preferredURL: url, fallbackToFake: false, context: "tls", options: options)
    }

    func failure(_ body: () throws -> RedisClient) -> TLSFailure? {
        do {
            _ = try body()
            return nil
        } catch let error as RedisError {
            guard case .tls(let failure) = error else { return .other("not a TLS error: \(error)") }
            return failure
        } catch {
            return .other("\(error)")
        }
    }

    @Test func connectsWithTheRightCAAndRunsCommands() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try server(certificates)
        let client = try connect("rediss://127.0.0.1:\(server.port)?ssl_ca_certs=\(certificates.ca)")
        try client.set("k", "over tls")
        #expect(try client.get("k") == "over tls")
        let replies = try client.pipeline((0..<100).map { argv("INCR", "n\($0 % 3)") })
        #expect(replies.count == 100)
        // By name too: the certificate names localhost.
        #expect(try connect("rediss://localhost:\(server.port)", tls: TLSOptions(caFile: certificates.ca)).ping() == "PONG")
    }

    @Test func refusesAnUnknownCAAWrongNameAndAnExpiredCertificate() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let good = try server(certificates)
        let expired = try server(certificates, certificate: certificates.expiredCertificate)

        guard case .unknownCA = failure({ try connect("rediss://127.0.0.1:\(good.port)?ssl_ca_certs=\(certificates.otherCA)") }) else {
            Issue.record("wrong CA was not reported as unknown CA")
            return
        }
        let mismatch = failure { try connect("rediss://127.0.0.1:\(good.port)", tls: TLSOptions(caFile: certificates.ca, serverName: "cache.example.com")) }
        guard case .nameMismatch = mismatch else {
            Issue.record("wrong server name gave \(String(describing: mismatch))")
            return
        }
        guard case .expired = failure({ try connect("rediss://127.0.0.1:\(expired.port)?ssl_ca_certs=\(certificates.ca)") }) else {
            Issue.record("expired certificate was not reported as expired")
            return
        }
        // Turning verification off must be explicit, and then connects.
        #expect(try connect("rediss://127.0.0.1:\(expired.port)?ssl_cert_reqs=none").ping() == "PONG")
    }

    /// A plaintext Redis waits for the rest of what it took for a command: the handshake never
    /// ends, and the timeout says what is likely wrong.
    @Test func rediss_toAPlaintextServerSaysSo() throws {
        let plain = try RedisServer.start()
        let error = #expect(throws: RedisError.self) {
            try RedisFactory.makeClient(preferredURL: "rediss://127.0.0.1:\(plain.port)?ssl_cert_reqs=none&connect_timeout=0.5", fallbackToFake: false, context: "tls")
        }
        #expect(error?.description.contains("is the server speaking TLS on this port?") == true, "\(String(describing: error))")
    }

    @Test func mutualTLSNeedsTheClientCertificate() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try server(certificates, authClients: "yes")
        let withCertificate = try connect(
            "rediss://127.0.0.1:\(server.port)?ssl_ca_certs=\(certificates.ca)&ssl_certfile=\(certificates.clientCertificate)&ssl_keyfile=\(certificates.clientKey)"
        )
        #expect(try withCertificate.ping() == "PONG")
        let without = failure { try connect("rediss://127.0.0.1:\(server.port)?ssl_ca_certs=\(certificates.ca)") }
        guard case .clientCertificateRequired = without else {
            Issue.record("no client certificate gave \(String(describing: without))")
            return
        }
    }

    @Test func plainClientOnATLSPortFailsClearlyAndTheHealthCheckSpeaksTLS() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try server(certificates)
        #expect(throws: RedisError.self) { try connect("redis://127.0.0.1:\(server.port)") }
        let probe = try runProduct("redis-healthcheck", ["probe", "--url", "rediss://127.0.0.1:\(server.port)?ssl_ca_certs=\(certificates.ca)"])
        #expect(probe.exitCode == 0, "\(probe.stdout)")
        #expect(probe.stdout == "healthy: master, 0 replicas connected\(ServerEngine.current.answered)\n")
        let wrongCA = try runProduct("redis-healthcheck", ["probe", "--url", "rediss://127.0.0.1:\(server.port)?ssl_ca_certs=\(certificates.otherCA)"])
        #expect(wrongCA.exitCode == 1)
        #expect(wrongCA.stdout.hasPrefix("unhealthy: TLS: server certificate not trusted, unknown CA"), "\(wrongCA.stdout)")
    }
}
