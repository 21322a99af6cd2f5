import Topology

/// `targets.compose`: a self-hosted deployment under Docker Compose, its keys, its reader and
/// its rules; `ComposeDeployment` renders it.
struct ComposeTarget: Sendable {
    var file: Located<String>
    var network: Located<String>
    /// Published on 127.0.0.1 only, when on.
    var publishPort: Located<Bool>
    var cpus: Located<String>?
    var memory: Located<Int64>?
    /// The network's IPv4 /24; nodes get static addresses in it.
    var subnet: Located<String>?

    static let keys = ["file", "network", "subnet", "publish_port", "resources"]
    static let resourceKeys = ["cpus", "memory"]
    /// Official image tags (Redis 7.1 is an ElastiCache engine only).
    static func imageVersions(_ engine: Engine) -> [String] {
        switch engine {
        case .redis: ["6.2", "7.0", "7.2"]
        case .valkey: ["7.2", "8.0", "8.1", "9.0"]
        }
    }

    /// The official image each engine's is built from (healthchecks/Dockerfile).
    static func officialImage(_ engine: Engine) -> String {
        switch engine {
        case .redis: "redis"
        case .valkey: "valkey/valkey"
        }
    }
}

extension ComposeTarget: TargetReader {
    static let key = "compose"
    static let schema = ["targets.compose": keys, "targets.compose.resources": resourceKeys]

    static func read(_ targets: MappingReader, name: Located<String>) -> [any TargetSettings] {
        guard let compose = targets.child(key) else { return [] }
        defer { compose.finish() }
        let resources = compose.child("resources")
        defer { resources?.finish() }
        return [ComposeTarget(
            file: compose.string("file", default: "docker-compose.redis.yml")!,
            network: compose.string("network", default: "\(name.value)-redis")!,
            publishPort: compose.bool("publish_port", default: false),
            cpus: resources?.string("cpus"),
            memory: resources?.size("memory"),
            subnet: compose.string("subnet")
        )]
    }
}

extension ComposeTarget: TargetSettings {
    var location: SourceLocation { file.location }
    var runsOwnServers: Bool { true }

    func refusal(of mode: RedisMode) -> String? {
        switch mode {
        case .standalone: nil  // one node
        case .sentinel: nil  // nodes and Sentinels, each a service
        case .cluster: nil  // every node a service, and a job that forms the cluster once
        }
    }

    /// What a self-hosted deployment needs beyond the topology's own rules.
    func check(_ topology: Topology, _ validator: TopologyValidator) {
        let engine = topology.redis.engine.value
        let images = ComposeTarget.imageVersions(engine)
        if engine.versions.contains(topology.redis.version.value) && !images.contains(topology.redis.version.value) {
            validator.error("there is no \(ComposeTarget.officialImage(engine)):\(topology.redis.version.value) image for a Compose deployment; use one of \(images.joined(separator: ", "))", at: topology.redis.version.location)
        }
        // The overlay's name becomes a path under compose/<name>/: a plain file name, so it can
        // neither leave the output directory nor take the place of another generated file.
        let name = file.value
        if !TopologyValidator.isName(name, also: "._-", first: { $0 != "." }) || !(name.hasSuffix(".yml") || name.hasSuffix(".yaml")) {
            validator.error("'targets.compose.file' must be a plain file name ending in .yml or .yaml (letters, digits, '.', '-', '_'), like docker-compose.redis.yml, not '\(name)'", at: file.location)
        } else if name == "docker-compose.clients.yml" {
            validator.error("'targets.compose.file' must not be docker-compose.clients.yml: the generator writes the clients overlay there", at: file.location)
        }
        if let cpus, !(Double(cpus.value).map { $0 > 0 && $0.isFinite } ?? false) {
            validator.error("'targets.compose.resources.cpus' must be a positive number of CPUs, like \"0.5\" or \"2\", not '\(cpus.value)'", at: cpus.location)
        }
        let networkName = network.value
        if !TopologyValidator.isName(networkName, also: "._-", first: { $0.isLetter || $0.isNumber }) {
            validator.error("'targets.compose.network' must be a Docker network name (letters, digits, '.', '-', '_', starting with a letter or digit), not '\(networkName)'", at: network.location)
        }
        if let subnet, !Self.isSlash24(subnet.value) {
            validator.error("'targets.compose.subnet' must be an IPv4 /24 like 172.28.5.0/24, not '\(subnet.value)'", at: subnet.location)
        }
        for secret in topology.secretReferences {
            switch secret.value {
            case .terraformVariable:
                validator.error("a Compose deployment cannot read a Terraform variable; use 'secret_file' for this secret", at: secret.location)
            case .environment(let variable):
                // Compose writes an environment secret into the container's own filesystem,
                // which the read-only root every Redis container gets refuses.
                validator.error(
                    "a Compose deployment cannot take a secret from the environment ('\(variable)'): its containers are read-only and Compose can mount only file secrets into them; write the value to a file readable by uid 999 and use {secret_file: ./secrets/<name>}",
                    at: secret.location
                )
            case .file:
                break
            }
        }
        if let startInterval = topology.healthcheck.startInterval {
            validator.warning("'healthcheck.start_interval' needs Docker Engine 25 or later; older engines refuse the whole project", at: startInterval.location)
        }
        switch topology.redis.mode.value {
        case .standalone:
            break
        case .sentinel, .cluster:
            validator.warning(
                "every \(topology.redis.mode.value == .sentinel ? "Sentinel and Redis node" : "cluster node") of this Compose deployment runs on one Docker host: it survives the loss of a container, not of the host",
                at: file.location
            )
        }
    }

    static func isSlash24(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1] == "24" else { return false }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.last == "0"
            && octets.allSatisfy { octet in octet.count <= 3 && octet.allSatisfy(\.isASCII) && Int(octet).map { (0...255).contains($0) } == true }
    }
}
