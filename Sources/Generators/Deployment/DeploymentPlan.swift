import Topology

/// The containers of a self-hosted deployment, their names, addresses, secrets and users,
/// decided once so that the overlay, the node configs, the start script (Compose/) and the
/// health-check scripts (HealthChecks/) agree.
struct DeploymentPlan {
    struct RedisNode {
        var index: Int
        /// The Compose service, also the container's host name.
        var service: String
        var address: String
        var configFile: String
        var volume: String
        var isInitialMaster: Bool { index == 0 }
    }

    struct SentinelNode {
        var service: String
        var address: String
        var volume: String
    }

    /// A Compose secret: where it comes from, and the file name it gets under /run/secrets.
    struct Secret {
        var name: String
        var source: SecretReference
        var fileName: String
        var purpose: String
    }

    let topology: Topology
    let compose: ComposeTarget
    let nodes: [RedisNode]
    let sentinels: [SentinelNode]
    let subnet: String
    let password: Secret?
    /// The Sentinels' own password (`sentinel.password`), in HA with auth on.
    let sentinelPassword: Secret?
    let userSecrets: [(user: ACLUser, secret: Secret)]
    /// Certificate, key and CA when the topology turns TLS on; files under /run/secrets.
    let tls: (certificate: Secret, key: Secret, ca: Secret)?
    /// The clients' own certificate and key (`tls.client_cert_file`), when TLS is on.
    let clientCertificate: (certificate: Secret, key: Secret)?

    var name: String { topology.name.value }
    /// The folder the deployment's files go to, and where the overlay finds them.
    var folder: String { ComposeDeployment.folder(for: topology) }
    var isHA: Bool { Self.runsSentinels(topology.redis.mode.value) }
    static func runsSentinels(_ mode: RedisMode) -> Bool {
        switch mode {
        case .standalone: false
        case .sentinel: true
        case .cluster: false  // the masters fail over among themselves
        }
    }
    var isCluster: Bool { topology.redis.mode.value == .cluster }
    /// More than one node, each known to the others by name or address.
    var isMultiNode: Bool { nodes.count > 1 }
    /// The service that forms the cluster once, after every node answers.
    var clusterCreator: String { "\(name)-cluster-create" }
    /// Static, below the nodes' (.10 up): a dynamic address could take one a node has yet to claim.
    var clusterCreatorAddress: String { subnet.split(separator: ".").prefix(3).joined(separator: ".") + ".5" }
    /// Written by the create job once the cluster exists: its health.
    static let clusterFormedMarker = "cluster-formed"
    static let clusterCreatorLimits: (cpus: String, memory: Int64) = ("0.25", 64 << 20)
    var clusterBusPort: Int { topology.cluster?.busPort?.value ?? redisPort + 10000 }
    var redisPort: Int { topology.redis.port.value }
    var sentinelPort: Int { topology.sentinel?.port.value ?? 26379 }
    var masterName: String { topology.sentinel?.masterName.value ?? "mymaster" }
    var announcesHostnames: Bool { (isCluster ? topology.cluster?.announce : topology.sentinel?.announce)?.value != "static" }
    var secrets: [Secret] { [password, sentinelPassword].compactMap { $0 } + userSecrets.map(\.secret) + tlsSecrets }
    var tlsSecrets: [Secret] { tls.map { [$0.certificate, $0.key, $0.ca] } ?? [] }
    /// Sentinels need their password (for the nodes and each other; the default user's when
    /// they have none of their own), the TLS files, and the passwords of the ACL users clients
    /// connect as (they ask the Sentinels as that user).
    var sentinelSecrets: [Secret] {
        [sentinelPassword ?? password].compactMap { $0 } + userSecrets.filter { clientUsers.contains($0.user.name.value) }.map(\.secret) + tlsSecrets
    }
    /// What an application service mounts: its own ACL user's password, else the default
    /// user's (and the Sentinels' password, which that user's clients send the Sentinels), and
    /// the TLS files it needs.
    func clientSecrets(for client: ClientService) -> [Secret] {
        let credential = credential(for: client)
        let sentinel = credential?.user == nil ? sentinelPassword : nil
        return [credential?.secret, sentinel].compactMap { $0 } + clientTLSSecrets
    }
    /// Every secret some client mounts, once each, in the clients' order.
    var allClientSecrets: [Secret] {
        var seen: Set<String> = []
        return topology.clients.flatMap(clientSecrets(for:)).filter { seen.insert($0.name).inserted }
    }

    /// The user a client connects as (nil: the default user) and the secret with its password.
    func credential(for client: ClientService) -> (user: String?, secret: Secret)? {
        if let name = client.user?.value, let entry = userSecrets.first(where: { $0.user.name.value == name }) {
            return (name, entry.secret)
        }
        return password.map { (nil, $0) }
    }

    /// The ACL users some client connects as: they need what the factory itself sends.
    var clientUsers: Set<String> { Set(topology.clients.compactMap(\.user?.value)) }
    /// Clients verify the servers with the CA, and prove themselves with their own certificate
    /// when the topology gives one. The servers' key never leaves the servers.
    var clientTLSSecrets: [Secret] {
        guard let tls else { return [] }
        return [tls.ca] + (clientCertificate.map { [$0.certificate, $0.key] } ?? [])
    }
    /// Where the overlay finds this directory, relative to the Compose project directory
    /// (Compose resolves every path of every `-f` file against the first file's directory).
    var configDirectoryVariable: String { name.uppercased().replacingOccurrences(of: "-", with: "_") + "_REDIS_CONFIG_DIR" }
    var configDirectoryDefault: String { "./\(folder)" }
    static let imageVariable = "REDIS_INFRA_IMAGE"
    var imageDefault: String { "redis-infra/\(topology.redis.engine.value.rawValue):\(topology.redis.version.value)" }
    /// What `docker build -f healthchecks/Dockerfile` needs to be told for this engine and version.
    var imageBuildArguments: String {
        let engine = topology.redis.engine.value
        let base = engine == .redis ? "" : " --build-arg REDIS_IMAGE=\(ComposeTarget.officialImage(engine))"
        return base + " --build-arg REDIS_VERSION=\(topology.redis.version.value) -t \(imageDefault)"
    }

    /// The official image the deployment's is built from, and its tag.
    var officialImage: String { "\(ComposeTarget.officialImage(topology.redis.engine.value)):\(topology.redis.version.value)" }
    static let configMount = "/etc/redis-infra"
    /// The container's tmpfs: what start.sh writes there is gone when the container stops.
    static let runDirectory = "/tmp"

    /// The health check's user: a fresh random password at every start, in the container's
    /// tmpfs, so that only that container's probe knows it; it may look, never change. What
    /// the probe sends (Probe.swift): ROLE, INFO, CONFIG GET on a node; SENTINEL CKQUORUM,
    /// GET-MASTER-ADDR-BY-NAME and REPLICAS on a Sentinel; PING on connect.
    static let healthcheckPasswordName = "healthcheck-password"
    static let healthcheckPasswordFile = "\(runDirectory)/\(healthcheckPasswordName)"
    static let healthcheckRules = (
        redis: "+ping +role +info +config|get",
        sentinel: "+ping +role +sentinel|ckquorum +sentinel|get-master-addr-by-name +sentinel|replicas"
    )
    /// A cluster node's probe also reads the cluster's view of itself.
    var healthcheckRedisRules: String {
        Self.healthcheckRules.redis + (isCluster ? " +cluster|info +cluster|myid +cluster|nodes" : "")
    }
    /// What a Sentinel sends a node (Redis's documentation, "Sentinel and ACL"): no data command.
    static let sentinelUserRules = "allchannels +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill"
    static let dataMount = "/data"

    init(topology: Topology, compose: ComposeTarget) {
        self.topology = topology
        self.compose = compose
        let name = topology.name.value
        subnet = compose.subnet?.value ?? Self.defaultSubnet(for: name)
        let prefix = subnet.split(separator: ".").prefix(3).joined(separator: ".")
        let isHA = Self.runsSentinels(topology.redis.mode.value)
        if let cluster = topology.cluster, topology.redis.mode.value == .cluster {
            // The first `shards` nodes become masters when the cluster is created.
            nodes = (0..<(cluster.shards.value * (1 + cluster.replicasPerShard.value))).map { index in
                RedisNode(
                    index: index, service: "\(name)-redis-\(index)", address: "\(prefix).\(10 + index)",
                    configFile: "redis-\(index).conf", volume: "\(name)-redis-\(index)-data"
                )
            }
            sentinels = []
        } else if isHA {
            nodes = (0...topology.redis.replicas.value).map { index in
                RedisNode(
                    index: index, service: "\(name)-redis-\(index)", address: "\(prefix).\(10 + index)",
                    configFile: "redis-\(index).conf", volume: "\(name)-redis-\(index)-data"
                )
            }
            sentinels = (1...(topology.sentinel?.count.value ?? 3)).map { index in
                SentinelNode(service: "\(name)-sentinel-\(index)", address: "\(prefix).\(100 + index)", volume: "\(name)-sentinel-\(index)-data")
            }
        } else {
            nodes = [RedisNode(index: 0, service: "\(name)-redis", address: "\(prefix).10", configFile: "redis.conf", volume: "\(name)-redis-data")]
            sentinels = []
        }
        password = topology.auth.password.map {
            Secret(name: "\(name)-redis-password", source: $0.value, fileName: "redis-password", purpose: "the Redis password (requirepass, masterauth, Sentinel auth-pass)")
        }
        sentinelPassword = isHA && password != nil ? topology.sentinel?.password.map {
            Secret(name: "\(name)-sentinel-password", source: $0.value, fileName: "sentinel-password", purpose: "the Sentinels' password (their requirepass, and their user on the nodes)")
        } : nil
        let tlsSettings = topology.tls
        if tlsSettings.enabled.value, let certificate = tlsSettings.certFile, let key = tlsSettings.keyFile, let ca = tlsSettings.caFile {
            tls = (
                Secret(name: "\(name)-tls-cert", source: .file(certificate.value), fileName: "redis-tls-cert", purpose: "the TLS certificate of every node (names every service host name)"),
                Secret(name: "\(name)-tls-key", source: .file(key.value), fileName: "redis-tls-key", purpose: "the TLS private key"),
                Secret(name: "\(name)-tls-ca", source: .file(ca.value), fileName: "redis-tls-ca", purpose: "the CA certificate that signed it")
            )
        } else {
            tls = nil
        }
        if tls != nil, let certificate = tlsSettings.clientCertFile, let key = tlsSettings.clientKeyFile {
            clientCertificate = (
                Secret(name: "\(name)-tls-client-cert", source: .file(certificate.value), fileName: "redis-tls-client-cert", purpose: "the certificate the application's clients present"),
                Secret(name: "\(name)-tls-client-key", source: .file(key.value), fileName: "redis-tls-client-key", purpose: "the clients' TLS private key")
            )
        } else {
            clientCertificate = nil
        }
        userSecrets = topology.auth.users.map { user in
            (user, Secret(
                name: "\(name)-acl-\(user.name.value)", source: user.password.value, fileName: "acl-\(user.name.value)",
                purpose: "the password of ACL user \(user.name.value)"
            ))
        }
    }

    /// A Redis container's limits: the topology's, else room for `maxmemory` plus half again
    /// (a fork for BGSAVE or AOF rewrite copies pages as they change), else 1 CPU and 1 GiB.
    var redisLimits: (cpus: String, memory: Int64) {
        let memory = compose.memory?.value ?? topology.redis.maxmemory.map { ($0.value * 3 / 2 + (64 << 20) + (1 << 20) - 1) / (1 << 20) * (1 << 20) } ?? (1 << 30)
        return (compose.cpus?.value ?? "1.0", memory)
    }

    /// Docker's SIGKILL must not land in the middle of the final save: Redis first waits up to
    /// its `shutdown-timeout` (10 s) for replicas to catch up, then saves the dataset.
    static let redisStopGracePeriod = "60s"
    static let sentinelStopGracePeriod = "10s"
    /// Redis runs a handful of threads and one fork at a time; probes add one process each.
    static let pidsLimit: Int64 = 128

    /// Sentinel keeps a few megabytes of state; this leaves it room and bounds a runaway.
    static let sentinelLimits: (cpus: String, memory: Int64) = ("0.25", 128 << 20)

    /// The loopback port a node is published on (`publish_port: true`): one per node, counting
    /// up from the Redis port, and from the Sentinel port for Sentinels.
    func publishedPort(of node: RedisNode) -> Int { redisPort + node.index }
    func publishedSentinelPort(index: Int) -> Int { sentinelPort + index }

    /// The address a node is known by: its host name, or its static address.
    func announced(_ node: RedisNode) -> String { announcesHostnames ? node.service : node.address }

    /// A /24 in 172.16.0.0/12 picked from the name (FNV-1a), so that two topologies on one
    /// Docker host rarely collide and the choice never changes between runs.
    static func defaultSubnet(for name: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return "172.\(16 + hash % 16).\((hash >> 4) % 256).0/24"
    }

    /// What clients put in their URL variables: no credentials, ever (they get a password file).
    /// A client of the default user finds the Sentinels' password in a file too.
    func clientURL(user: String?) -> String {
        let scheme = tls == nil ? "redis" : "rediss"
        if isCluster {
            let hosts = nodes.map { "\($0.service):\(redisPort)" }.joined(separator: ",")
            return "\(scheme)+cluster://\(hosts)" + query(tlsOptions(presenting: clientCertificate))
        }
        if isHA {
            let hosts = sentinels.map { "\($0.service):\(sentinelPort)" }.joined(separator: ",")
            let sentinelOption = user == nil ? sentinelPassword.map { ["sentinel_password_file=/run/secrets/\($0.fileName)"] } ?? [] : []
            return "\(scheme)+sentinel://\(hosts)/\(masterName)" + query(sentinelOption + tlsOptions(presenting: clientCertificate))
        }
        return "\(scheme)://\(nodes[0].service):\(redisPort)" + query(tlsOptions(presenting: clientCertificate))
    }

    /// A URL for a probe inside a container: loopback, checked against the container's own
    /// host name (the certificate names services, not 127.0.0.1).
    func probeURL(port: Int, hostname: String) -> String {
        guard tls != nil else { return "redis://127.0.0.1:\(port)" }
        // Inside a server's container the probe presents that server's own certificate when
        // the servers check clients: it is mounted there already, and only there.
        let identity = tls.flatMap { topology.tls.authClients.value == "yes" ? ($0.certificate, $0.key) : nil }
        return "rediss://127.0.0.1:\(port)" + query(tlsOptions(presenting: identity, serverName: hostname))
    }

    private func query(_ options: [String]) -> String { options.isEmpty ? "" : "?" + options.joined(separator: "&") }

    /// `ssl_ca_certs=...`, and the certificate and key to present, when there are any.
    private func tlsOptions(presenting identity: (certificate: Secret, key: Secret)?, serverName: String? = nil) -> [String] {
        guard let tls else { return [] }
        var options = ["ssl_ca_certs=/run/secrets/\(tls.ca.fileName)"]
        if let identity {
            options += ["ssl_certfile=/run/secrets/\(identity.certificate.fileName)", "ssl_keyfile=/run/secrets/\(identity.key.fileName)"]
        }
        if let serverName { options.append("ssl_server_name=\(serverName)") }
        return options
    }
}
