import HealthCheckContract
import RedisFactory
import RedisTestSupport
import Testing

/// The generator spells probe invocations with the contract; the binary must take every word
/// of them, and read the environment the generator writes.
@Suite struct ProbeContractTests {
    @Test(arguments: [ProbeRole.auto, .master])
    func everyFlagTheContractSpellsIsTakenByTheBinary(role: ProbeRole) throws {
        let server = try RedisServer.start(RedisServer.Options(aclUser: (name: "probe", password: "probe-pass")))
        defer { server.stop() }
        let directory = try makeTemporaryDirectory(prefix: "contract")
        let passwordFile = directory.appendingPathComponent("password").path
        try "probe-pass".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let request = ProbeRequest(role: role, timeout: "2", masterName: "unused", replicas: 0, maxLagSeconds: 10)
        let words = request.words(mode: ProbeMode.readiness.rawValue, url: server.url, literal: { $0 })
        #expect(Set(words.filter { $0.hasPrefix("--") }) == Set(ProbeFlag.allCases.map(\.rawValue)).subtracting([ProbeFlag.format.rawValue]))
        let result = try runProduct("redis-healthcheck", words + [ProbeFlag.format.rawValue, "json"], environment: [
            HealthCheckEnvironment.username: "probe",
            HealthCheckEnvironment.passwordFile: passwordFile,
        ])
        #expect(result.exitCode == 0, "\(words): \(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("\"healthy\":true"), "\(result.stdout)")
    }

    @Test func theFactoryReadsTheNamesTheContractWrites() {
        #expect(HealthCheckEnvironment.passwordFile == EnvironmentCredentials.passwordFileVariable)
        #expect(HealthCheckEnvironment.username == EnvironmentCredentials.usernameVariable)
    }
}
