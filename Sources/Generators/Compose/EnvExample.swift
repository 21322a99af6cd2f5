/// `.env.example`: every variable the overlay reads and every secret it expects, with what
/// each is for. No value is ever a secret; the secret variables are listed empty.
enum EnvExample {
    static func file(plan: DeploymentPlan, header: GeneratedHeader) -> GeneratedFile {
        var lines = header.lines(purpose: "Variables and secrets the \(plan.name) overlay expects; copy what you set into your .env.").map { "# \($0)" }
        lines += [
            "",
            "# The image: \(plan.officialImage) plus redis-healthcheck (docker build -f healthchecks/Dockerfile\(plan.imageBuildArguments) .).",
            "\(DeploymentPlan.imageVariable)=\(plan.imageDefault)",
        ]
        if !plan.exporters.isEmpty {
            lines += [
                "# The redis_exporter sidecars' image (monitoring.exporters): one with /bin/sh and \(DeploymentPlan.exporterBinary).",
                "\(DeploymentPlan.exporterImageVariable)=\(DeploymentPlan.exporterImageDefault)",
            ]
        }
        lines += [
            "# This directory, as seen from the Compose project directory.",
            "\(plan.configDirectoryVariable)=\(plan.configDirectoryDefault)",
        ]
        let clientOnly = plan.clientCertificate.map { [$0.certificate, $0.key] } ?? []
        for secret in plan.secrets + clientOnly {
            lines.append("")
            let reader = clientOnly.contains { $0.name == secret.name } ? "the application's user" : "the container's redis user, uid 999"
            switch secret.source {
            case .file(let path):
                lines += [
                    "# Secret file (must exist, readable by \(reader)): \(secret.purpose).",
                    "#   secret_file: \(path)",
                ]
            case .environment(let variable), .terraformVariable(let variable):
                lines += ["# Secret from the environment: \(secret.purpose).", "\(variable)="]
            }
        }
        return GeneratedFile(path: "\(plan.folder)/.env.example", contents: lines.joined(separator: "\n") + "\n")
    }
}
