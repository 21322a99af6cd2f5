import Testing
@testable import Generators
@testable import Topology

/// The renderers decide quoting in one place each; these are the values that would change a
/// document's shape if they were written bare.
@Suite struct RenderingTests {
    static let tricky = [
        "yes", "no", "on", "true", "null", "~", "", "1.0", "0x1F", "-1", ".inf", "a: b", "a #b", "- item",
        "{x}", "[x]", "*alias", "&anchor", "!tag", "%x", "@x", "`x`", "'q'", "\"dq\"", "back\\slash",
        "line\nbreak", "cr\r\nlf", "tab\there", "\u{7}bell", "ünïcödé", "ends:", "--role", "${VAR}", "trailing ",
    ]

    /// Every tricky string, written by the YAML renderer and read back by the topology loader
    /// (libyaml), is the same string, and a plain scalar is never one YAML would retype.
    @Test func yamlScalarsRoundTripThroughLibyaml() throws {
        let entries = Self.tricky.enumerated().map { YAMLEntry("k\($0.offset)", .string($0.element)) }
        let text = YAMLRenderer.render(entries, header: ["a header"])
        let diagnostics = DiagnosticsCollector()
        let root = try #require(YAMLLoader().load(Array(text.utf8), file: "t.yaml", diagnostics: diagnostics), "\(diagnostics.sorted)")
        guard case .mapping(let pairs) = root.kind else {
            Issue.record("not a mapping")
            return
        }
        #expect(pairs.count == Self.tricky.count)
        for (index, pair) in pairs.enumerated() {
            guard case .scalar(let value, let quoted) = pair.value.kind else {
                Issue.record("k\(index) is not a scalar")
                continue
            }
            #expect(value == Self.tricky[index], "k\(index)")
            let retypable = ["yes", "no", "on", "true", "null", "~", "", "1.0", "0x1F", "-1", ".inf"]
            if retypable.contains(Self.tricky[index]) { #expect(quoted, "\(Self.tricky[index]) must be quoted") }
        }
    }

    @Test func hclStringsEscapeTemplatesAndLineBreaks() {
        #expect(HCLRenderer.quoted("a${b}c") == "\"a$${b}c\"")
        #expect(HCLRenderer.quoted("%{if}") == "\"%%{if}\"")
        #expect(HCLRenderer.quoted("$5 and 100%") == "\"$5 and 100%\"")
        #expect(HCLRenderer.quoted("cr\r\nlf") == "\"cr\\r\\nlf\"")
        #expect(HCLRenderer.quoted("q\"b\\") == "\"q\\\"b\\\\\"")
        #expect(HCLRenderer.quoted("\u{1}") == "\"\\u0001\"")
    }

    @Test func hclAlignsRunsOfSingleLineAttributesOnly() {
        let text = HCLRenderer.render([
            .block(HCLBlock("resource", "x", "y", body: [
                .attribute("a", .number(1)),
                .attribute("longer", .string("v")),
                .attribute("tags", .object([("Name", .string("n"))])),
                .attribute("b", .bool(true)),
            ])),
        ])
        #expect(text == """
            resource "x" "y" {
              a      = 1
              longer = "v"
              tags = {
                Name = "n"
              }
              b = true
            }

            """)
    }

    @Test func redisConfigArgumentsQuoteWhatSdssplitargsWouldSplit() {
        #expect(RedisConfigDocument.argument("plain") == "plain")
        #expect(RedisConfigDocument.argument("") == "\"\"")
        #expect(RedisConfigDocument.argument("two words") == "\"two words\"")
        #expect(RedisConfigDocument.argument("q\"uote") == "\"q\\\"uote\"")
        #expect(RedisConfigDocument.argument("nl\n") == "\"nl\\n\"")
        #expect(RedisConfigDocument.argument("ü") == "\"\\xc3\\xbc\"")
    }

    @Test func shellWordsCannotExpand() {
        #expect(Shell.quoted("plain-word_1.0") == "plain-word_1.0")
        #expect(Shell.quoted("$(rm -rf /)") == "'$(rm -rf /)'")
        #expect(Shell.quoted("it's") == "'it'\\''s'")
        #expect(Shell.quoted("") == "''")
    }
}
