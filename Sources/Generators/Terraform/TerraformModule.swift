/// One generated Terraform module: its inputs, resources and outputs as structure, rendered
/// into the usual files (versions.tf, variables.tf, main.tf, outputs.tf, README.md) so the
/// README's tables and the .tf files can never disagree.
struct TerraformModule {
    struct Variable {
        var name: String
        var type: String
        var description: String
        var defaultValue: HCLExpression?
        var sensitive = false
        var validations: [(condition: String, message: String)] = []
    }

    struct Output {
        var name: String
        var description: String
        var value: String
        var sensitive = false
    }

    var directory: String
    var title: String
    var summary: [String]
    var providers: [(name: String, source: String, version: String)]
    var variables: [Variable]
    var main: [HCLItem]
    var outputs: [Output]
    /// A root configuration that calls the module, for its README.
    var usage: [HCLItem] = []
    /// Why the tests cannot plan `usage` on this machine; nil: they plan it as written.
    var usageNotPlannedBecause: String?

    func files(header: GeneratedHeader) -> [GeneratedFile] {
        let comment = header.lines(purpose: title).map { HCLItem.comment($0) }
        let versions = comment + [.blank, .block(HCLBlock("terraform", body: [
            .attribute("required_version", .string(">= 1.5.0")),
            .block(HCLBlock("required_providers", body: [
            ] + providers.map { provider in
                .attribute(provider.name, .object([("source", .string(provider.source)), ("version", .string(provider.version))]))
            })),
        ]))]
        let variableBlocks = variables.flatMap { variable -> [HCLItem] in
            var body: [HCLItem] = [
                .attribute("description", .string(variable.description)),
                .attribute("type", .raw(variable.type)),
            ]
            if let value = variable.defaultValue { body.append(.attribute("default", value)) }
            if variable.sensitive { body.append(.attribute("sensitive", .bool(true))) }
            for validation in variable.validations {
                body += [.blank, .block(HCLBlock("validation", body: [
                    .attribute("condition", .raw(validation.condition)),
                    .attribute("error_message", .string(validation.message)),
                ]))]
            }
            return [.blank, .block(HCLBlock("variable", variable.name, body: body))]
        }
        let outputBlocks = outputs.flatMap { output -> [HCLItem] in
            var body: [HCLItem] = [.attribute("description", .string(output.description)), .attribute("value", .raw(output.value))]
            if output.sensitive { body.append(.attribute("sensitive", .bool(true))) }
            return [.blank, .block(HCLBlock("output", output.name, body: body))]
        }
        return [
            GeneratedFile(path: "\(directory)/versions.tf", contents: HCLRenderer.render(versions)),
            GeneratedFile(path: "\(directory)/variables.tf", contents: HCLRenderer.render(comment + variableBlocks)),
            GeneratedFile(path: "\(directory)/main.tf", contents: HCLRenderer.render(comment + main)),
            GeneratedFile(path: "\(directory)/outputs.tf", contents: HCLRenderer.render(comment + outputBlocks)),
            GeneratedFile(path: "\(directory)/README.md", contents: readme(header: header)),
        ]
    }

    private func readme(header: GeneratedHeader) -> String {
        var lines = ["# \(title)", "", "<!-- \(header.lines(purpose: "").first!) -->", ""] + summary + [""]
        if !usage.isEmpty {
            lines += [
                "## Usage", "",
                "The root configuration a platform team writes first: the network, the application's security group and this",
                "module, created in one apply (so the group's id is unknown at plan time). "
                    + (usageNotPlannedBecause.map { "The tests cannot plan this example offline (\($0));" } ?? "The tests plan exactly this, with a"),
                (usageNotPlannedBecause == nil ? "provider block of their own; " : "") + "`source` is this folder as seen from the repository root.", "",
                "```hcl",
            ]
            lines += HCLRenderer.render(usage).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            lines += ["```", ""]
        }
        lines += ["## Inputs", "", "| name | type | default | description |", "|---|---|---|---|"]
        for variable in variables {
            let value = variable.defaultValue.map { "`\(HCLRenderer.inline($0))`" } ?? "required"
            lines.append("| `\(variable.name)` | `\(variable.type)` | \(value) | \(cell(variable.description))\(variable.sensitive ? " (sensitive)" : "") |")
        }
        lines += ["", "## Outputs", "", "| name | description |", "|---|---|"]
        for output in outputs {
            lines.append("| `\(output.name)` | \(cell(output.description))\(output.sensitive ? " (sensitive)" : "") |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}

extension HCLItem {
    /// `# checkov:skip=ID:reason` inside a resource: a check that does not apply, with why.
    static func checkovSkip(_ id: String, _ reason: String) -> HCLItem { .comment("checkov:skip=\(id):\(reason)") }
}
