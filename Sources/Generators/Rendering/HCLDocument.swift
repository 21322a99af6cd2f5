/// HCL as a tree, rendered exactly as `terraform fmt` would lay it out: two-space indent, `=`
/// aligned across a run of single-line attributes (a comment, a blank line, a block or a
/// multi-line value ends the run), strings escaped in one place.
indirect enum HCLExpression {
    /// A quoted string; `${` and `%{` are escaped so a topology value never becomes a template.
    case string(String)
    case number(Int64)
    case bool(Bool)
    /// An expression written as is: `var.subnet_ids`, `aws_security_group.redis.id`,
    /// `"rediss://${aws_x.y.primary_endpoint_address}"`. Only the generator writes these.
    case raw(String)
    /// One element per line.
    case list([HCLExpression])
    /// `{ key = value }`, one attribute per line.
    case object([(key: String, value: HCLExpression)])
}

struct HCLBlock {
    var type: String
    var labels: [String]
    var body: [HCLItem]

    init(_ type: String, _ labels: String..., body: [HCLItem]) {
        self.type = type
        self.labels = labels
        self.body = body
    }
}

enum HCLItem {
    case attribute(String, HCLExpression)
    case block(HCLBlock)
    case comment(String)
    case blank
}

enum HCLRenderer {
    static func render(_ items: [HCLItem]) -> String {
        var out = ""
        renderBody(items, indent: 0, into: &out)
        return out
    }

    private static func renderBody(_ items: [HCLItem], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        var index = 0
        while index < items.count {
            switch items[index] {
            case .blank:
                out += "\n"
                index += 1
            case .comment(let text):
                out += "\(pad)# \(text)\n"
                index += 1
            case .block(let block):
                let labels = block.labels.map { " " + quoted($0) }.joined()
                if block.body.isEmpty {
                    out += "\(pad)\(block.type)\(labels) {}\n"
                } else {
                    out += "\(pad)\(block.type)\(labels) {\n"
                    renderBody(block.body, indent: indent + 2, into: &out)
                    out += "\(pad)}\n"
                }
                index += 1
            case .attribute:
                // A run of single-line attributes shares one `=` column.
                var run: [(String, HCLExpression)] = []
                while index < items.count, case .attribute(let key, let value) = items[index], isSingleLine(value) {
                    run.append((key, value))
                    index += 1
                }
                if run.isEmpty, case .attribute(let key, let value) = items[index] {
                    out += "\(pad)\(key) = "
                    renderMultiline(value, indent: indent, into: &out)
                    index += 1
                    continue
                }
                let width = run.map(\.0.count).max() ?? 0
                for (key, value) in run {
                    out += pad + key + String(repeating: " ", count: width - key.count) + " = " + inline(value) + "\n"
                }
            }
        }
    }

    static func isSingleLine(_ value: HCLExpression) -> Bool {
        switch value {
        case .list(let items): items.isEmpty
        case .object(let pairs): pairs.isEmpty
        default: true
        }
    }

    private static func renderMultiline(_ value: HCLExpression, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent + 2)
        switch value {
        case .list(let items):
            out += "[\n"
            for item in items {
                out += pad
                if isSingleLine(item) { out += inline(item) } else { renderNested(item, indent: indent + 2, into: &out) }
                out += ",\n"
            }
            out += String(repeating: " ", count: indent) + "]\n"
        case .object(let pairs):
            out += "{\n"
            renderBody(pairs.map { .attribute(objectKey($0.key), $0.value) }, indent: indent + 2, into: &out)
            out += String(repeating: " ", count: indent) + "}\n"
        default:
            out += inline(value) + "\n"
        }
    }

    private static func renderNested(_ value: HCLExpression, indent: Int, into out: inout String) {
        var nested = ""
        renderMultiline(value, indent: indent, into: &nested)
        out += nested.dropLast()
    }

    static func inline(_ value: HCLExpression) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .number(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .raw(let text): text
        case .list(let items): "[" + items.map(inline).joined(separator: ", ") + "]"
        case .object(let pairs): pairs.isEmpty ? "{}" : "{ " + pairs.map { "\(objectKey($0.key)) = \(inline($0.value))" }.joined(separator: ", ") + " }"
        }
    }

    /// Object keys that are not identifiers (`maxmemory-policy` is one; `a.b` is not) are quoted.
    private static func objectKey(_ key: String) -> String {
        let identifier = key.first.map { $0.isLetter || $0 == "_" } == true
            && key.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") && $0.isASCII }
        return identifier ? key : quoted(key)
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if let escaped = sharedEscape(scalar) {
                out += escaped
            } else if scalar.value < 0x20 || scalar.value == 0x7F {
                out += hexEscape(scalar, prefix: "\\u", digits: 4)
            } else if (scalar == "$" || scalar == "%") && index + 1 < scalars.count && scalars[index + 1] == "{" {
                // `${` and `%{` start templates; `$${` and `%%{` are their literal forms.
                out.unicodeScalars.append(scalar)
                out.unicodeScalars.append(scalar)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
