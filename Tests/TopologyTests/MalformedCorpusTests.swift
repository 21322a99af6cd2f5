import Foundation
import Generators
import RedisTestSupport
import Testing
@testable import Topology

/// A corpus of malformed topologies: wrong types at every key of the full example, random
/// bytes, truncations, deep nesting, alias bombs, huge scalars. None may crash the loader; each
/// must give at least one error, located inside the file.
@Suite struct MalformedCorpusTests {
    static let example: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../topologies/sentinel-ha.yaml")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// Every `key: value` line of the example with its value replaced by values of the wrong
    /// type (or, for a section's own line, by a scalar).
    static var wrongTypes: [(String, String)] {
        let lines = example.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var cases: [(String, String)] = []
        for (index, line) in lines.enumerated() {
            guard let colon = line.firstIndex(of: ":"), !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") else { continue }
            let head = String(line[...colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            let replacements = value.isEmpty ? ["5"] : ["[1, 2]", "{x: 1}"]
            for replacement in replacements {
                var mutated = lines
                mutated[index] = head + " " + replacement
                cases.append(("line \(index + 1) = \(replacement)", mutated.joined(separator: "\n")))
            }
        }
        return cases
    }

    static var randomBytes: [(String, [UInt8])] {
        var generator = SeededGenerator(seed: 7)
        return (0..<20).map { index in
            ("random \(index)", (0..<Int.random(in: 1...400, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
    }

    static var structural: [(String, String)] {
        var bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...9 { bomb.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]") }
        return [
            ("deep nesting", "name: a\nredis: " + String(repeating: "{a: ", count: 100) + "1" + String(repeating: "}", count: 100) + "\n"),
            ("alias bomb", bomb.joined(separator: "\n") + "\n"),
            ("huge name", "name: " + String(repeating: "a", count: 500_000) + "\n"),
            ("huge file", "name: a\n# " + String(repeating: "x", count: 2_000_000) + "\n"),
            ("list at top", "- name: a\n"),
            ("scalar at top", "just text\n"),
            ("null document", "~\n"),
            ("only a comment", "# nothing\n"),
            ("two documents", "name: a\n---\nname: b\n"),
            ("duplicate name", "name: a\nname: b\n"),
            ("tab indent", "name: a\nredis:\n\tport: 1\n"),
            ("unclosed flow", "name: a\nredis: {port: 1\n"),
            ("unclosed quote", "name: \"a\n"),
            ("bad alias", "name: *a\n"),
            ("self-referencing alias", "name: a\nredis: &r\n  port: *r\n"),
            ("merge of scalar", "name: a\nredis:\n  <<: 1\n"),
            ("binary tag", "name: !!binary aGVsbG8=\nredis: 5\n"),
            ("nul byte", "name: a\u{0}\n"),
        ]
    }

    @Test func wrongTypesAtEveryKey() {
        let cases = Self.wrongTypes
        #expect(cases.count >= 60)
        for (label, text) in cases {
            expectLocatedError(Array(text.utf8), label)
        }
    }

    @Test func randomBytesAndStructuralDamage() {
        for (label, bytes) in Self.randomBytes { expectLocatedError(bytes, label) }
        for (label, text) in Self.structural { expectLocatedError(Array(text.utf8), label) }
    }

    @Test func truncationsNeverCrashAndStayLocated() {
        let bytes = Array(Self.example.utf8)
        for length in stride(from: 0, to: bytes.count, by: 7) {
            let collector = DiagnosticsCollector()
            _ = TopologyLoading.load(Array(bytes[..<length]), file: "t.yaml", diagnostics: collector, targets: Generator.targetReaders)
            for diagnostic in collector.diagnostics { expectInside(diagnostic, Array(bytes[..<length]), "truncated at \(length)") }
        }
    }

    func expectLocatedError(_ bytes: [UInt8], _ label: String) {
        let collector = DiagnosticsCollector()
        let topology = TopologyLoading.load(bytes, file: "t.yaml", diagnostics: collector, targets: Generator.targetReaders)
        #expect(topology == nil, "\(label) was accepted")
        #expect(collector.hasErrors, "\(label): no error")
        for diagnostic in collector.diagnostics { expectInside(diagnostic, bytes, label) }
    }

    func expectInside(_ diagnostic: Diagnostic, _ bytes: [UInt8], _ label: String) {
        let lines = bytes.filter { $0 == 10 }.count + 1
        #expect(diagnostic.location.file == "t.yaml")
        #expect((1...lines).contains(diagnostic.location.line), "\(label): \(diagnostic)")
        #expect(diagnostic.location.column >= 1, "\(label): \(diagnostic)")
    }
}
