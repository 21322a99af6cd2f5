/// A YAML node with the line and column it starts at, so that every later error can point at
/// the exact spot in the user's file.
public struct YAMLNode: Sendable {
    public enum Kind: Sendable {
        /// `quoted` is true for '...' and "..." scalars: `"yes"` is a string, `yes` may not be.
        case scalar(String, quoted: Bool)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var kind: Kind
    public var location: SourceLocation
    /// Nodes in this subtree, aliases counted as what they expand to: the loader's bound on
    /// alias expansion ("billion laughs").
    var expandedSize: Int

    public var scalar: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    public var isNull: Bool {
        guard case .scalar(let text, let quoted) = kind, !quoted else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// What the node is, for messages: "a mapping", "a list", "a string".
    public var kindDescription: String {
        switch kind {
        case .scalar: return isNull ? "null" : "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode

    /// Keys are scalars in every file the loader accepts.
    public var name: String { key.scalar ?? "" }
}
