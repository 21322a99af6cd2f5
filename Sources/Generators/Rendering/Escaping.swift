/// The backslash escapes YAML's and HCL's double-quoted strings share; nil for a scalar that
/// needs none of them. Each format adds its own for the remaining control characters.
func sharedEscape(_ scalar: Unicode.Scalar) -> String? {
    switch scalar {
    case "\"": "\\\""
    case "\\": "\\\\"
    case "\n": "\\n"
    case "\r": "\\r"
    case "\t": "\\t"
    default: nil
    }
}

/// Other control characters, as `\x0b` (YAML) or `\u000b` (HCL).
func hexEscape(_ scalar: Unicode.Scalar, prefix: String, digits: Int) -> String {
    let hex = String(scalar.value, radix: 16)
    return prefix + String(repeating: "0", count: max(0, digits - hex.count)) + hex
}
