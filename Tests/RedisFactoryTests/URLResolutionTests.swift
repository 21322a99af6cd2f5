import Foundation
import Testing
@testable import RedisClientCore
@testable import RedisFactory
@testable import RedisStub

@Suite struct URLResolutionTests {
    static let sources: [(settings: [String: String], env: [String: String], expected: String, source: URLSource)] = [
        ([:], [:], "redis://127.0.0.1:6379/0", .default),
        ([:], ["REDIS_URL": "redis://e-redis"], "redis://e-redis:6379/0", .environment(key: "REDIS_URL")),
        (["REDIS_URL": "redis://s-redis"], ["REDIS_URL": "redis://e-redis"], "redis://s-redis:6379/0", .settings(key: "REDIS_URL")),
        (["REDIS_URL": "redis://s-redis"], ["EMBEDDINGS_REDIS_URL": "redis://e-emb"], "redis://e-emb:6379/0", .environment(key: "EMBEDDINGS_REDIS_URL")),
        (["EMBEDDINGS_REDIS_URL": "redis://s-emb"], ["EMBEDDINGS_REDIS_URL": "redis://e-emb", "REDIS_URL": "redis://e-redis"], "redis://s-emb:6379/0", .settings(key: "EMBEDDINGS_REDIS_URL")),
        (["EMBEDDINGS_REDIS_URL": "", "REDIS_URL": ""], ["EMBEDDINGS_REDIS_URL": ""], "redis://127.0.0.1:6379/0", .default),
    ]

    @Test(arguments: 0..<sources.count)
    func orderOfSources(index: Int) throws {
        let row = Self.sources[index]
        let resolved = try URLResolution.resolve(preferredURL: nil, settings: RedisSettings(row.settings)) { row.env[$0] }
        #expect(resolved.url.redacted == row.expected)
        #expect(resolved.source == row.source)
    }

    @Test func explicitURLWinsOverEverything() throws {
        let everything = ["EMBEDDINGS_REDIS_URL": "redis://a", "REDIS_URL": "redis://b"]
        let resolved = try URLResolution.resolve(preferredURL: "redis://x:1", settings: RedisSettings(everything)) {
            everything[$0]
        }
        #expect(resolved.source == .explicit)
        #expect(resolved.url.endpoint == .tcp(host: "x", port: 1))
    }

    @Test func everySubsetOfSourcesPicksTheFirstPresent() throws {
        // Sources in priority order; each subset of them present must resolve to its first.
        let order: [(String?, String, Bool)] = [
            ("explicit", "", false), (nil, "EMBEDDINGS_REDIS_URL", true), (nil, "EMBEDDINGS_REDIS_URL", false),
            (nil, "REDIS_URL", true), (nil, "REDIS_URL", false),
        ]
        for mask in 0..<(1 << order.count) {
            var settings: [String: String] = [:]
            var env: [String: String] = [:]
            var preferred: String?
            var expectedHost = "127.0.0.1"
            for (bit, (explicit, key, inSettings)) in order.enumerated().reversed() where mask & (1 << bit) != 0 {
                let host = "h\(bit)"
                if explicit != nil { preferred = "redis://\(host)" } else if inSettings {
                    settings[key] = "redis://\(host)"
                } else {
                    env[key] = "redis://\(host)"
                }
                expectedHost = host
            }
            let resolved = try URLResolution.resolve(preferredURL: preferred, settings: RedisSettings(settings)) { env[$0] }
            #expect(resolved.url.endpoint == .tcp(host: expectedHost, port: 6379), "mask \(mask)")
        }
    }

    @Test func settingsFileIsParsed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("app.env")
        try """
            # the app's settings
            export REDIS_URL="redis://from-file:6380/1"
              EMBEDDINGS_REDIS_URL = 'redis://emb:6381'
            OTHER=x=y
            """.write(to: file, atomically: true, encoding: .utf8)
        let settings = try RedisSettings.load(path: file.path)
        #expect(settings["REDIS_URL"] == "redis://from-file:6380/1")
        #expect(settings["EMBEDDINGS_REDIS_URL"] == "redis://emb:6381")
        #expect(settings["OTHER"] == "x=y")

        // The factory reads the file named by REDIS_INFRA_SETTINGS.
        let resolved = try RedisFactory.resolveURL(
            options: ConnectionOptions(environment: ["REDIS_INFRA_SETTINGS": file.path])
        )
        #expect(resolved.source == .settings(key: "EMBEDDINGS_REDIS_URL"))
    }

    @Test func badSettingsLineIsLocatedAndNotEchoed() throws {
        #expect(throws: RedisError.settings("app.env:2: expected KEY=VALUE")) {
            try RedisSettings.parse("A=1\nhunter2\n", file: "app.env")
        }
    }

    @Test func missingSettingsFileIsAnError() {
        #expect(throws: RedisError.self) {
            try RedisSettings.load(path: "/nonexistent/settings.env")
        }
    }
}
