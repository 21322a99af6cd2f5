import Topology

/// `monitoring.exporters`: a redis_exporter beside every node and Sentinel, each reading one
/// server. redis_exporter 1.45's `--redis.password-file` takes a JSON map of address to
/// password, not the plain secret file the servers read, so the sidecar's entrypoint reads that
/// same file into REDIS_PASSWORD (the variable the exporter reads its password from): nothing
/// secret in argv, in the overlay, or in a second file.
extension DeploymentPlan {
    struct Exporter {
        var service: String
        var address: String
        /// The server it reads: redis_exporter's `--redis.addr`, and the `instance` label.
        var target: String
        var password: Secret?
        /// The CA, and the certificate and key it presents where the servers check clients.
        var tls: (ca: Secret, identity: (certificate: Secret, key: Secret)?)?

        var secrets: [Secret] {
            [password, tls?.ca, tls?.identity?.certificate, tls?.identity?.key].compactMap { $0 }
        }
    }

    static let exporterPort = 9121
    static let exporterImageVariable = "REDIS_INFRA_EXPORTER_IMAGE"
    /// The official image's Alpine line: the entrypoint needs a shell, which the default
    /// (scratch) line has not.
    static let exporterImageDefault = "oliver006/redis_exporter:v1.45.0-alpine"
    static let exporterBinary = "/redis_exporter"
    static let exporterLimits: (cpus: String, memory: Int64) = ("0.1", 64 << 20)

    var exporters: [Exporter] {
        guard topology.monitoring.exporters.value else { return [] }
        let prefix = subnet.split(separator: ".").prefix(3).joined(separator: ".")
        let scheme = tls == nil ? "redis" : "rediss"
        let identity = clientCertificate ?? tls.flatMap { topology.tls.authClients.value == "yes" ? ($0.certificate, $0.key) : nil }
        let tlsFiles = tls.map { (ca: $0.ca, identity: identity) }
        // Static, apart from the nodes' (.10 up) and the Sentinels' (.101 up): node exporters
        // from .150, Sentinel exporters from .131.
        let nodeExporters = nodes.map { node in
            Exporter(service: "\(node.service)-exporter", address: "\(prefix).\(150 + node.index)",
                     target: "\(scheme)://\(node.service):\(redisPort)", password: password, tls: tlsFiles)
        }
        let sentinelExporters = sentinels.enumerated().map { index, sentinel in
            Exporter(service: "\(sentinel.service)-exporter", address: "\(prefix).\(131 + index)",
                     target: "\(scheme)://\(sentinel.service):\(sentinelPort)", password: sentinelPassword ?? password, tls: tlsFiles)
        }
        return nodeExporters + sentinelExporters
    }
}
