import Testing
@testable import RedisClientCore
@testable import RedisFactory
@testable import RedisStub

@Suite struct URLParsingTests {
    @Test func plainURLUsesDefaults() throws {
        let url = try RedisURL(parsing: "redis://cache.internal")
        #expect(url.scheme == .redis)
        #expect(url.endpoint == .tcp(host: "cache.internal", port: 6379))
        #expect(url.database == 0)
        #expect(url.username == nil && url.password == nil)
    }

    @Test func fullURL() throws {
        let url = try RedisURL(parsing: "redis://worker:p%40ss:w@10.1.2.3:6380/4?timeout=2.5&connect_timeout=0.2")
        #expect(url.endpoint == .tcp(host: "10.1.2.3", port: 6380))
        #expect(url.username == "worker")
        #expect(url.password == "p@ss:w")
        #expect(url.database == 4)
        #expect(url.commandTimeout == .milliseconds(2500))
        #expect(url.connectTimeout == .milliseconds(200))
    }

    @Test func passwordOnlyForms() throws {
        #expect(try RedisURL(parsing: "redis://:secret@h").password == "secret")
        #expect(try RedisURL(parsing: "redis://:secret@h").username == nil)
        #expect(try RedisURL(parsing: "redis://secret@h").password == "secret")
        // An empty password is no password: `AUTH ""` could only fail.
        #expect(try RedisURL(parsing: "redis://:@h").password == nil)
        #expect(try RedisURL(parsing: "redis://:@h").username == nil)
    }

    @Test func ipv6AndTLS() throws {
        let url = try RedisURL(parsing: "rediss://[::1]:7000/1")
        #expect(url.usesTLS)
        #expect(url.endpoint == .tcp(host: "::1", port: 7000))
        #expect(url.redacted == "rediss://[::1]:7000/1")
    }

    @Test func unixSocket() throws {
        let url = try RedisURL(parsing: "unix:///run/redis/redis.sock?db=3")
        #expect(url.endpoint == .unix(path: "/run/redis/redis.sock"))
        #expect(url.database == 3)
        let withAuth = try RedisURL(parsing: "unix://app:pw@/tmp/r.sock")
        #expect(withAuth.username == "app" && withAuth.password == "pw")
        #expect(withAuth.endpoint == .unix(path: "/tmp/r.sock"))
        #expect(withAuth.redacted == "unix://***:***@/tmp/r.sock")
    }

    @Test func redactionMasksCredentials() throws {
        let url = try RedisURL(parsing: "redis://user:hunter2@db:6379/2")
        #expect(url.redacted == "redis://***:***@db:6379/2")
        #expect(!"\(url)".contains("hunter2"))
    }

    @Test(arguments: [
        ("http://h:1", "scheme", "unsupported scheme 'http'"),
        ("localhost:6379", "scheme", "missing '<scheme>://'"),
        ("redis://u:hunter2@h:notaport", "port", "'notaport' is not a port number"),
        ("redis://u:hunter2@h:0", "port", "'0' is not a port number"),
        ("redis://u:hunter2@:6379", "host", "missing host name"),
        ("redis://u:hunter2@h/x", "database", "'x' is not a database number"),
        ("redis://u:hunter2@h/-1", "database", "'-1' is not a database number"),
        ("redis://u:hunter2@h?timeout=abc", "query", "option 'timeout' needs a positive number"),
        ("redis://u:hunter2@h?timeout=0", "query", "option 'timeout' needs a positive number"),
        ("redis://u:hunter2@h?password=hunter2", "query", "unknown option 'password'"),
        ("redis://u:hunter2@[::1", "host", "unclosed '['"),
        ("redis://u:hun%zzter2@h", "credentials", "bad percent-encoding"),
        ("unix://relative.sock", "path", "absolute path"),
        ("redis://u:hunter2@h o st", "host", "is not a valid host name"),
    ])
    func malformedURLsNameThePartAndHideThePassword(input: String, part: String, problem: String) {
        do {
            _ = try RedisURL(parsing: input)
            Issue.record("\(input) parsed")
        } catch {
            #expect(error.part == part)
            #expect(error.problem.contains(problem), "\(error.problem)")
            #expect(!error.description.contains("hunter2"), "\(error.description)")
            #expect(!error.description.contains("hun%zzter2"))
        }
    }
}
