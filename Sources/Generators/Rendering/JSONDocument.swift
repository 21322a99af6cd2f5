import InfraSupport

/// A JSON document as a tree, rendered with two-space indents and keys in the order the
/// generator inserted them: the same input, the same bytes.
indirect enum JSONValue {
    case string(String)
    case int(Int)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])

    func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent + 2)
        let close = String(repeating: " ", count: indent)
        switch self {
        case .string(let text): return jsonQuoted(text)
        case .int(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .array(let items) where items.isEmpty: return "[]"
        case .array(let items):
            return "[\n" + items.map { pad + $0.rendered(indent: indent + 2) }.joined(separator: ",\n") + "\n\(close)]"
        case .object(let fields) where fields.isEmpty: return "{}"
        case .object(let fields):
            return "{\n" + fields.map { pad + jsonQuoted($0.0) + ": " + $0.1.rendered(indent: indent + 2) }.joined(separator: ",\n") + "\n\(close)}"
        }
    }
}
