import InfraSupport

extension Duration {
    /// Compose's and Docker's duration text: `10s`, `1m30s` is never needed, `500ms` is.
    var composeText: String {
        wholeMilliseconds % 1000 == 0 ? "\(wholeMilliseconds / 1000)s" : "\(wholeMilliseconds)ms"
    }

    /// Seconds with up to three decimals and no trailing zeros: `2.5`, `10`.
    var secondsText: String {
        let milliseconds = wholeMilliseconds
        var text = String(milliseconds / 1000)
        if milliseconds % 1000 != 0 {
            var fraction = String(milliseconds % 1000)
            fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text
    }
}
