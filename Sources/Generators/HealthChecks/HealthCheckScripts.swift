import HealthCheckContract
import Topology

/// `healthchecks/<name>/`: one probe script per role and `smoke.sh`, each one `exec` of
/// redis-healthcheck with the topology's settings, for any orchestrator (a Kubernetes exec
/// probe, a systemd timer). The URL and the password file can be moved by environment.
enum HealthCheckScripts: DeploymentTarget {
    static func folder(for topology: Topology) -> String { "healthchecks/\(topology.name.value)" }

    static func files(for topology: Topology, header: GeneratedHeader) -> [GeneratedFile] {
        let folder = folder(for: topology)
        // Where the topology also runs under Compose, the scripts probe its containers.
        let plan = topology.target(ComposeTarget.self).map { DeploymentPlan(topology: topology, compose: $0) }
        let settings = topology.healthcheck
        // In a container the certificate names the container, not 127.0.0.1: the script asks
        // `hostname` at run time.
        let redisURL = plan?.probeURL(port: topology.redis.port.value, hostname: "$(hostname)") ?? "redis://127.0.0.1:\(topology.redis.port.value)"
        // Every cluster node answers the same probe, whatever its role now.
        var probes = [ProbeInvocation(role: topology.redis.mode.value == .cluster ? .cluster : .master, url: redisURL, healthcheck: settings)]
        // Replicas and Sentinels are ours to probe only where we run them; a managed service
        // (Terraform-only topology) shows its clients just the primary endpoint.
        if let plan, plan.isHA {
            probes.append(ProbeInvocation(role: .replica, url: redisURL, healthcheck: settings))
            let sentinelURL = plan.probeURL(port: plan.sentinelPort, hostname: "$(hostname)")
            probes.append(ProbeInvocation(role: .sentinel, url: sentinelURL, masterName: plan.masterName, replicas: plan.nodes.count - 1, healthcheck: settings))
        }
        // The default user's password, or the Sentinels' own for a Sentinel; in a generated
        // container the environment names the health check's own user and password instead.
        let passwordFile = topology.auth.password == nil ? nil : "redis-password"
        var files = probes.map { probe in
            let role = probe.role.rawValue
            // The script reads the URL from the environment itself: none in argv.
            let words = probe.request.words(mode: "\"${\(HealthCheckEnvironment.probeMode):-\(ProbeMode.readiness.rawValue)}\"", url: nil, literal: Shell.quoted)
            return script(
                path: "\(folder)/probe-\(role).sh",
                purpose: "Probe of a \(role): exit 0 healthy, 1 unhealthy. REDIS_PROBE_MODE=liveness for a liveness probe.",
                header: header, passwordFile: probe.role == .sentinel ? plan?.sentinelPassword?.fileName ?? passwordFile : passwordFile, url: probe.url,
                command: "exec redis-healthcheck " + words.joined(separator: " ")
            )
        }
        let smokeURL = plan?.clientURL(user: nil) ?? redisURL
        files.append(script(
            path: "\(folder)/smoke.sh",
            purpose: "Staging smoke test: every command family, cleaned up after. Extra arguments pass through (--format json, --junit FILE).",
            header: header, passwordFile: passwordFile, url: smokeURL,
            command: "exec redis-healthcheck smoke --timeout " + Shell.quoted(settings.timeout.value.secondsText) + " \"$@\""
        ))
        return files
    }

    private static func script(path: String, purpose: String, header: GeneratedHeader, passwordFile: String?, url: String, command: String) -> GeneratedFile {
        var lines = ["#!/bin/sh"] + header.lines(purpose: purpose).map { "# \($0)" }
        lines.append("set -eu")
        lines.append("# The URL reaches redis-healthcheck through the environment, never argv (ps shows argv,")
        lines.append("# and a URL may carry a password); REDIS_URL alone names the server judged here.")
        let urlVariable = HealthCheckEnvironment.url
        lines.append("\(urlVariable)=\"${\(urlVariable):-\(url)}\"")
        lines.append("export \(urlVariable)")
        lines.append("unset EMBEDDINGS_REDIS_URL")
        if let passwordFile {
            lines.append("# The password comes from a file (a mounted secret), never from argv.")
            let variable = HealthCheckEnvironment.passwordFile
            lines.append("export \(variable)=\"${\(variable):-/run/secrets/\(passwordFile)}\"")
        }
        lines.append(command)
        return GeneratedFile(path: path, contents: lines.joined(separator: "\n") + "\n", executable: true)
    }
}
