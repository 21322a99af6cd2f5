import Testing
@testable import Topology

/// The loader on libyaml: the tree it builds, and every refusal located as a compiler would.
@Suite struct YAMLLoaderTests {
    func load(_ text: String, limits: YAMLLoader.Limits = .init()) -> (YAMLNode?, [String]) {
        load(Array(text.utf8), limits: limits)
    }

    func load(_ bytes: [UInt8], limits: YAMLLoader.Limits = .init()) -> (YAMLNode?, [String]) {
        let diagnostics = DiagnosticsCollector()
        let node = YAMLLoader(limits: limits).load(bytes, file: "t.yaml", diagnostics: diagnostics)
        return (node, diagnostics.sorted.map(\.description))
    }

    @Test func buildsATreeWithLocations() throws {
        let (node, errors) = load("""
            name: cache
            redis:
              port: 6379
              save: ["900 1", '300 10']
            """)
        #expect(errors.isEmpty)
        guard case .mapping(let pairs) = try #require(node).kind else { Issue.record("not a mapping"); return }
        #expect(pairs.map(\.name) == ["name", "redis"])
        #expect(pairs[1].key.location == SourceLocation(file: "t.yaml", line: 2, column: 1))
        guard case .mapping(let redis) = pairs[1].value.kind else { Issue.record("redis not a mapping"); return }
        #expect(redis[0].value.location == SourceLocation(file: "t.yaml", line: 3, column: 9))
        guard case .sequence(let save) = redis[1].value.kind else { Issue.record("save not a list"); return }
        guard case .scalar("300 10", quoted: true) = save[1].kind else { Issue.record("quoted scalar lost"); return }
        #expect(save[1].location.column == 19)
    }

    @Test func anchorsAliasesAndMergeKeys() throws {
        let (node, errors) = load("""
            base: &base
              port: 6379
              maxmemory: 1gb
            other: &other
              port: 7000
              tls: on
            replica:
              <<: [*base, *other]
              maxmemory: 2gb
            copy: *base
            """)
        #expect(errors.isEmpty, "\(errors)")
        guard case .mapping(let top) = try #require(node).kind,
              case .mapping(let replica) = top[2].value.kind,
              case .mapping(let copy) = top[3].value.kind
        else { Issue.record("shape"); return }
        // Explicit keys win; among merged mappings the first wins.
        #expect(replica.map(\.name) == ["maxmemory", "port", "tls"])
        #expect(replica.map { $0.value.scalar } == ["2gb", "6379", "on"])
        #expect(copy.map(\.name) == ["port", "maxmemory"])
    }

    @Test(arguments: [
        ("a: 1\na: 2\n", "t.yaml:2:1: error: duplicate key 'a' (first at 1:1)"),
        ("a: 1\n---\nb: 2\n", "t.yaml:2:1: error: more than one YAML document in the file; put each topology in its own file"),
        ("a:\n\tb: 1\n", "t.yaml:2:1: error: tab used for indentation; YAML indents with spaces"),
        ("a: [1, 2\n", "t.yaml:2:1: error: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence"),
        ("a: b: c\n", "t.yaml:1:5: error: YAML syntax error: mapping values are not allowed in this context"),
        ("a: *nowhere\n", "t.yaml:1:4: error: alias '*nowhere' refers to no anchor"),
        ("", "t.yaml:1:1: error: file is empty"),
        ("a:\n  <<: 5\n", "t.yaml:2:7: error: merge key '<<' needs a mapping or a list of mappings, not a scalar"),
        ("? [a]\n: 1\n", "t.yaml:1:3: error: keys must be plain names, not a list"),
        ("a: 'open\n", "t.yaml:2:1: error: YAML syntax error: found unexpected end of stream while scanning a quoted scalar"),
    ])
    func refusalsAreLocated(input: String, expected: String) {
        let (_, errors) = load(input)
        #expect(errors.first == expected, "\(errors)")
    }

    @Test func everyDuplicateIsReported() {
        let (_, errors) = load("a: 1\nb: 2\na: 3\nb: 4\n")
        #expect(errors == [
            "t.yaml:3:1: error: duplicate key 'a' (first at 1:1)",
            "t.yaml:4:1: error: duplicate key 'b' (first at 2:1)",
        ])
    }

    @Test func nonUTF8IsLocated() {
        let (_, errors) = load(Array("name: ok\nport: ".utf8) + [0xff, 0x0a])
        #expect(errors == ["t.yaml:2:7: error: file is not valid UTF-8 (byte 0xff)"])
    }

    @Test func sizeAndDepthAreBounded() {
        var limits = YAMLLoader.Limits()
        limits.maxBytes = 64
        #expect(load(String(repeating: "a: 1\n", count: 20), limits: limits).1
            == ["t.yaml:1:1: error: file is 100 bytes; a topology may be at most 64 bytes"])
        let deep = String(repeating: "[", count: 80) + String(repeating: "]", count: 80)
        #expect(load(deep).1 == ["t.yaml:1:65: error: nesting is deeper than 64 levels"])
    }

    @Test func billionLaughsFailsFast() {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            let previous = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(previous)]")
        }
        let (node, errors) = load(lines.joined(separator: "\n") + "\n")
        #expect(node == nil)
        #expect(errors.count == 1)
        #expect(errors.first?.contains("aliases expand to more than 100000 nodes") == true, "\(errors)")
    }
}
