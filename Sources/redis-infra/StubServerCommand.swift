import ArgumentParser
import RedisFactory
import StubServer
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Set from the SIGTERM / SIGINT handler; the accept loop polls it.
private let stopRequested = Atomic<Bool>(false)

/// `redis-infra stub-server`: the in-memory stub over RESP2 or RESP3, for clients in any language.
struct StubServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stub-server",
        abstract: "Serve the in-memory stub over RESP2 or RESP3 on loopback or a unix socket.",
        discussion: "Prints 'listening on ...' once ready. Stops cleanly on SIGTERM or SIGINT."
    )

    @Option(help: "IPv4 address to bind. Anything but loopback needs --password-file.")
    var bind = "127.0.0.1"

    @Option(help: "A file whose first line clients must AUTH with (as requirepass).")
    var passwordFile: String?

    @Option(help: "TCP port (0 picks a free one).")
    var port: Int?

    @Option(help: "Serve on a unix socket at this path instead of TCP.")
    var unix: String?

    func validate() throws {
        if port != nil && unix != nil { throw ValidationError("--port and --unix exclude each other") }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        // EVAL runs Lua and AUTH would accept anything: off loopback, that is a door.
        if unix == nil && !bind.hasPrefix("127.") && passwordFile == nil {
            throw ValidationError("--bind \(bind) reaches beyond this machine: give --password-file, or bind 127.0.0.1")
        }
    }

    func run() throws {
        let endpoint: StubServer.Endpoint = unix.map { .unix(path: $0) } ?? .tcp(host: bind, port: port ?? 6379)
        let server: StubServer
        do {
            let password = try passwordFile.map { Array(try readPasswordFile($0).utf8) }
            server = try StubServer(endpoint: endpoint, password: password)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        signal(SIGTERM) { _ in stopRequested.store(true, ordering: .releasing) }
        signal(SIGINT) { _ in stopRequested.store(true, ordering: .releasing) }
        signal(SIGPIPE, SIG_IGN)
        // A parent may have started us with these blocked (a spawning thread's mask is
        // inherited); a server that ignores SIGTERM cannot be stopped cleanly.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        switch server.endpoint {
        case .tcp(let host, let port): writeStandardOutput(Array("listening on \(host):\(port)\n".utf8))
        case .unix(let path): writeStandardOutput(Array("listening on \(path)\n".utf8))
        }
        server.run(until: { stopRequested.load(ordering: .acquiring) })
    }
}
