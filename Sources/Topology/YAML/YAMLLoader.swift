import CYAML

/// Reads one YAML document into a ``YAMLNode`` tree on libyaml's event parser, refusing what a
/// topology file must never be: too big, not UTF-8, tab-indented, several documents, nested too
/// deep, duplicate keys, aliases that expand without bound. Every refusal is a located
/// diagnostic; YAML syntax errors carry libyaml's own line and column.
public struct YAMLLoader {
    public struct Limits: Sendable {
        public var maxBytes = 1 << 20
        public var maxDepth = 64
        public var maxExpandedNodes = 100_000

        public init() {}
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// The document's root, or nil when an error was reported.
    public func load(_ bytes: [UInt8], file: String, diagnostics: DiagnosticsCollector) -> YAMLNode? {
        func fail(_ message: String, line: Int = 1, column: Int = 1) -> YAMLNode? {
            diagnostics.error(message, at: SourceLocation(file: file, line: line, column: column))
            return nil
        }
        guard bytes.count <= limits.maxBytes else {
            return fail("file is \(bytes.count) bytes; a topology may be at most \(limits.maxBytes) bytes")
        }
        if let (line, column, byte) = Self.firstInvalidUTF8(bytes) {
            return fail("file is not valid UTF-8 (byte 0x\(String(byte, radix: 16)))", line: line, column: column)
        }
        if let (line, column) = Self.firstIndentationTab(bytes) {
            return fail("tab used for indentation; YAML indents with spaces", line: line, column: column)
        }
        var builder = Builder(file: file, limits: limits, diagnostics: diagnostics)
        return bytes.withUnsafeBufferPointer { builder.build($0) }
    }

    /// Line and column (1-based) of the first byte that breaks UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (Int, Int, UInt8)? {
        var line = 1
        var column = 1
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length = lead < 0x80 ? 1 : lead >> 5 == 0b110 ? 2 : lead >> 4 == 0b1110 ? 3 : lead >> 3 == 0b11110 ? 4 : 0
            guard length > 0, index + length <= bytes.count,
                  String(validating: bytes[index..<(index + length)], as: UTF8.self) != nil
            else { return (line, column, lead) }
            if lead == 10 { line += 1; column = 1 } else { column += 1 }
            index += length
        }
        return nil
    }

    /// A tab among a line's leading blanks (libyaml's own message for it is cryptic).
    static func firstIndentationTab(_ bytes: [UInt8]) -> (Int, Int)? {
        var line = 1
        var column = 1
        var inIndentation = true
        for byte in bytes {
            if byte == 10 {
                line += 1
                column = 1
                inIndentation = true
                continue
            }
            if inIndentation && byte == 9 { return (line, column) }
            if byte != 32 { inIndentation = false }
            column += 1
        }
        return nil
    }
}

/// Pulls libyaml events and builds the tree, resolving anchors, aliases and `<<` merge keys.
private struct Builder {
    let file: String
    let limits: YAMLLoader.Limits
    let diagnostics: DiagnosticsCollector
    var anchors: [String: YAMLNode] = [:]
    var parser = yaml_parser_t()
    /// The file's last line and the column just past its end: libyaml marks the end of a file
    /// without a final newline on the line after it, which is not a place in the file.
    var lastLine = 1
    var endColumn = 1

    init(file: String, limits: YAMLLoader.Limits, diagnostics: DiagnosticsCollector) {
        self.file = file
        self.limits = limits
        self.diagnostics = diagnostics
    }

    /// Raised to unwind the builder after the error was reported.
    struct Stop: Error {}

    enum Event {
        case streamStart, streamEnd, documentStart, documentEnd
        case mappingStart(anchor: String?), mappingEnd
        case sequenceStart(anchor: String?), sequenceEnd
        case scalar(String, anchor: String?, quoted: Bool)
        case alias(String)
    }

    mutating func build(_ input: UnsafeBufferPointer<UInt8>) -> YAMLNode? {
        guard yaml_parser_initialize(&parser) == 1 else {
            diagnostics.error("cannot start the YAML parser", at: location(line: 0, column: 0))
            return nil
        }
        defer { yaml_parser_delete(&parser) }
        lastLine = input.filter { $0 == 10 }.count + 1
        endColumn = input.count - (input.lastIndex(of: 10).map { $0 + 1 } ?? 0) + 1
        yaml_parser_set_input_string(&parser, input.baseAddress, input.count)
        do {
            guard case .streamStart = try next().event else { throw fail("expected a YAML stream", at: location(line: 0, column: 0)) }
            let first = try next().event
            if case .streamEnd = first { throw fail("file is empty", at: location(line: 0, column: 0)) }
            let root = try node(try next(), depth: 1)
            guard case .documentEnd = try next().event else { throw fail("expected the end of the document", at: root.location) }
            let (after, afterLocation) = try next()
            if case .documentStart = after {
                throw fail("more than one YAML document in the file; put each topology in its own file", at: afterLocation)
            }
            return root
        } catch {
            return nil
        }
    }

    private mutating func next() throws -> (event: Event, location: SourceLocation) {
        var raw = yaml_event_t()
        guard yaml_parser_parse(&parser, &raw) == 1 else {
            let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
            let context = parser.context.map { " " + String(cString: $0) } ?? ""
            throw fail(
                "YAML syntax error: \(problem)\(context)",
                at: location(line: parser.problem_mark.line, column: parser.problem_mark.column)
            )
        }
        defer { yaml_event_delete(&raw) }
        let at = location(line: raw.start_mark.line, column: raw.start_mark.column)
        func text(_ pointer: UnsafeMutablePointer<UInt8>?, _ length: Int? = nil) -> String? {
            guard let pointer else { return nil }
            let count = length ?? strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
            return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
        }
        switch raw.type {
        case YAML_STREAM_START_EVENT: return (.streamStart, at)
        case YAML_STREAM_END_EVENT: return (.streamEnd, at)
        case YAML_DOCUMENT_START_EVENT: return (.documentStart, at)
        case YAML_DOCUMENT_END_EVENT: return (.documentEnd, at)
        case YAML_MAPPING_START_EVENT: return (.mappingStart(anchor: text(raw.data.mapping_start.anchor)), at)
        case YAML_MAPPING_END_EVENT: return (.mappingEnd, at)
        case YAML_SEQUENCE_START_EVENT: return (.sequenceStart(anchor: text(raw.data.sequence_start.anchor)), at)
        case YAML_SEQUENCE_END_EVENT: return (.sequenceEnd, at)
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            let quoted = scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE || scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE
            return (.scalar(text(scalar.value, scalar.length) ?? "", anchor: text(scalar.anchor), quoted: quoted), at)
        case YAML_ALIAS_EVENT:
            return (.alias(text(raw.data.alias.anchor) ?? ""), at)
        default:
            throw fail("unexpected YAML event", at: at)
        }
    }

    private mutating func node(_ start: (event: Event, location: SourceLocation), depth: Int) throws -> YAMLNode {
        guard depth <= limits.maxDepth else {
            throw fail("nesting is deeper than \(limits.maxDepth) levels", at: start.location)
        }
        var built: YAMLNode
        let anchor: String?
        switch start.event {
        case .scalar(let text, let name, let quoted):
            anchor = name
            built = YAMLNode(kind: .scalar(text, quoted: quoted), location: start.location, expandedSize: 1)
        case .alias(let name):
            guard let target = anchors[name] else { throw fail("alias '*\(name)' refers to no anchor", at: start.location) }
            return target
        case .sequenceStart(let name):
            anchor = name
            var items: [YAMLNode] = []
            var size = 1
            while true {
                let item = try next()
                if case .sequenceEnd = item.event { break }
                let child = try node(item, depth: depth + 1)
                size += child.expandedSize
                try checkExpansion(size, at: child.location)
                items.append(child)
            }
            built = YAMLNode(kind: .sequence(items), location: start.location, expandedSize: size)
        case .mappingStart(let name):
            anchor = name
            built = try mapping(at: start.location, depth: depth)
        default:
            throw fail("unexpected YAML structure", at: start.location)
        }
        if let anchor { anchors[anchor] = built }
        return built
    }

    /// A mapping: explicit keys must be unique; `<<: *base` (or a list of them) brings in the
    /// keys that are not given explicitly, the first merged mapping winning.
    private mutating func mapping(at location: SourceLocation, depth: Int) throws -> YAMLNode {
        var explicit: [YAMLPair] = []
        var merged: [YAMLPair] = []
        var seen: [String: SourceLocation] = [:]
        var size = 1
        while true {
            let keyStart = try next()
            if case .mappingEnd = keyStart.event { break }
            let key = try node(keyStart, depth: depth + 1)
            let value = try node(try next(), depth: depth + 1)
            size += key.expandedSize + value.expandedSize
            try checkExpansion(size, at: value.location)
            guard case .scalar(let name, let quoted) = key.kind else {
                diagnostics.error("keys must be plain names, not \(key.kindDescription)", at: key.location)
                continue
            }
            if name == "<<" && !quoted {
                merged += try mergeSources(value).flatMap { source -> [YAMLPair] in
                    guard case .mapping(let pairs) = source.kind else { return [] }
                    return pairs
                }
                continue
            }
            if let first = seen[name] {
                diagnostics.error("duplicate key '\(name)' (first at \(first.line):\(first.column))", at: key.location)
                continue
            }
            seen[name] = key.location
            explicit.append(YAMLPair(key: key, value: value))
        }
        for pair in merged where seen[pair.name] == nil {
            seen[pair.name] = pair.key.location
            explicit.append(pair)
        }
        return YAMLNode(kind: .mapping(explicit), location: location, expandedSize: size)
    }

    private func mergeSources(_ value: YAMLNode) throws -> [YAMLNode] {
        switch value.kind {
        case .mapping: return [value]
        case .sequence(let items) where items.allSatisfy({ if case .mapping = $0.kind { true } else { false } }):
            return items
        default:
            throw fail("merge key '<<' needs a mapping or a list of mappings, not \(value.kindDescription)", at: value.location)
        }
    }

    private func checkExpansion(_ size: Int, at location: SourceLocation) throws {
        guard size <= limits.maxExpandedNodes else {
            throw fail("aliases expand to more than \(limits.maxExpandedNodes) nodes; refusing to expand further", at: location)
        }
    }

    private func fail(_ message: String, at location: SourceLocation) -> Stop {
        diagnostics.error(message, at: location)
        return Stop()
    }

    private func location(line: Int, column: Int) -> SourceLocation {
        guard line + 1 <= lastLine else { return SourceLocation(file: file, line: lastLine, column: endColumn) }
        return SourceLocation(file: file, line: line + 1, column: column + 1)
    }
}
