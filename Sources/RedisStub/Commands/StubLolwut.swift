#if canImport(Glibc)
import Glibc
#endif
import RedisClientCore

/// `LOLWUT [VERSION v] [arguments]`: Redis 7.0's own answer is its version line; VERSION 5
/// draws Georg Nees's "Schotter" in Braille characters, VERSION 6 a skyline in terminal colours,
/// each followed by Redis's caption. Both drawings are random in Redis; the stub draws them by
/// the same rules with its own dice (docs/stub.md).
extension StubCommands {
    static let lolwut: [String: StubCommand] = [
        "lolwut": StubCommand(-1) { _, command throws(StubError) in
            var arguments = Array(command.dropFirst())
            var version: Int64 = 7
            if arguments.count >= 2 && StubParse.upper(arguments[0]) == "VERSION" {
                version = try StubParse.integer(arguments[1])
                arguments.removeFirst(2)
            }
            switch version {
            case 5: return .bulk(try Lolwut.schotter(arguments))
            case 6: return .bulk(try Lolwut.skyline(arguments))
            default: return .bulk("Redis ver. \(redisVersion)\n")
            }
        },
    ]
}

/// The two drawings, on a canvas of small integers (a colour or a Braille dot per pixel).
enum Lolwut {
    static func schotter(_ arguments: [[UInt8]]) throws(StubError) -> String {
        let columns = try option(arguments, 0, default: 66, limit: 1000)
        let squaresPerRow = try option(arguments, 1, default: 8, limit: 200)
        let squaresPerColumn = try option(arguments, 2, default: 12, limit: 200)
        let width = columns * 2
        let padding = width > 4 ? 2 : 0
        let side = Float(width - padding * 2) / Float(squaresPerRow)
        var canvas = Canvas(width: width, height: Int(side * Float(squaresPerColumn)) + padding * 2, background: 0)
        var dice = SystemRandomNumberGenerator()
        for row in 0..<squaresPerColumn {
            for column in 0..<squaresPerRow {
                var centreX = Int(Float(column) * side + side / 2) + padding
                var centreY = Int(Float(row) * side + side / 2) + padding
                var angle: Float = 0
                // The first two rows stand straight; lower ones tilt and shift more and more.
                if row > 1 {
                    func jitter() -> Float {
                        let amount = Float.random(in: 0...1, using: &dice) / Float(squaresPerColumn) * Float(row)
                        return Bool.random(using: &dice) ? -amount : amount
                    }
                    angle = jitter()
                    centreX = Int(Float(centreX) + jitter() * side / 3)
                    centreY = Int(Float(centreY) + jitter() * side / 3)
                }
                canvas.square(centreX: centreX, centreY: centreY, side: side, angle: angle)
            }
        }
        return canvas.braille() + "\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. \(StubCommands.redisVersion)\n"
    }

    static func skyline(_ arguments: [[UInt8]]) throws(StubError) -> String {
        let columns = try option(arguments, 0, default: 80, limit: 1000)
        let rows = try option(arguments, 1, default: 20, limit: 1000)
        var canvas = Canvas(width: columns, height: rows, background: 3)
        // Two grays behind, the lighter farther; then black towers with lit windows in front.
        for color in [2, 1] {
            var offset = -10
            while offset < columns {
                offset += Int.random(in: 0..<8)
                let width = 10 + Int.random(in: 0..<9)
                let height = rows / 2 + Int.random(in: 0..<rows) / (color == 2 ? 2 : 3)
                canvas.tower(left: offset, width: width, height: height, color: color, windows: false)
                offset += color == 2 ? width / 2 : width + 1
            }
        }
        var offset = -10
        while offset < columns {
            offset += Int.random(in: 0..<8)
            var width = 5 + Int.random(in: 0..<14)
            if width % 4 != 0 { width += width % 3 }
            canvas.tower(left: offset, width: width, height: rows / 3 + Int.random(in: 0..<rows) / 2, color: 0, windows: true)
            offset += width + 5
        }
        return canvas.colored() + """

            Dedicated to the 8 bit game developers of past and present.
            Original 8 bit image from Plaguemon by hikikomori. Redis ver. \(StubCommands.redisVersion)

            """
    }

    /// An optional integer argument, clamped to 1...limit as Redis clamps it.
    private static func option(_ arguments: [[UInt8]], _ index: Int, default value: Int, limit: Int) throws(StubError) -> Int {
        guard index < arguments.count else { return value }
        return Int(min(max(try StubParse.integer(arguments[index]), 1), Int64(limit)))
    }

    struct Canvas {
        let width: Int
        let height: Int
        /// A byte per pixel, as Redis's canvas (the largest drawing is hundreds of megabytes).
        private var pixels: [UInt8]

        init(width: Int, height: Int, background: Int) {
            self.width = width
            self.height = height
            pixels = Array(repeating: UInt8(background), count: width * height)
        }

        subscript(x: Int, y: Int) -> Int {
            get { (0..<width).contains(x) && (0..<height).contains(y) ? Int(pixels[y * width + x]) : 0 }
            set { if (0..<width).contains(x) && (0..<height).contains(y) { pixels[y * width + x] = UInt8(newValue) } }
        }

        /// Bresenham's line, both ends included; what falls off the canvas is dropped.
        mutating func line(from start: (x: Int, y: Int), to end: (x: Int, y: Int)) {
            let (dx, dy) = (abs(end.x - start.x), abs(end.y - start.y))
            let (stepX, stepY) = (start.x < end.x ? 1 : -1, start.y < end.y ? 1 : -1)
            var (x, y, error) = (start.x, start.y, dx - dy)
            while true {
                self[x, y] = 1
                if x == end.x && y == end.y { return }
                let doubled = error * 2
                if doubled > -dy { error -= dy; x += stepX }
                if doubled < dx { error += dx; y += stepY }
            }
        }

        /// A square of the given side around a centre, turned by `angle` radians.
        mutating func square(centreX: Int, centreY: Int, side: Float, angle: Float) {
            let radius = (side / 1.4142135623).rounded()
            let corners = (0..<4).map { corner in
                let turn = Float.pi / 4 + angle + Float(corner) * Float.pi / 2
                return (x: Int((sin(turn) * radius + Float(centreX)).rounded()), y: Int((cos(turn) * radius + Float(centreY)).rounded()))
            }
            for corner in 0..<4 { line(from: corners[corner], to: corners[(corner + 1) % 4]) }
        }

        /// A tower standing on the bottom row, its roof two pixels narrower on each side.
        mutating func tower(left: Int, width: Int, height: Int, color: Int, windows: Bool) {
            let bottom = self.height - 1
            let top = bottom - height + 1
            guard top <= bottom else { return }
            for y in stride(from: bottom, through: top, by: -1) {
                for x in left..<(left + width) {
                    if y == top && (x <= left + 1 || x >= left + width - 2) { continue }
                    var pixel = color
                    // Windows two pixels wide and one tall, inside the walls, each lit gray.
                    if windows && x > left + 1 && x < left + width - 2 && y > top + 1 && y < bottom - 1 {
                        let (relativeX, relativeY) = (x - left - 1, y - top - 1)
                        if (relativeX / 2) % 2 == 1 && relativeY % 2 == 1 {
                            pixel = relativeX % 2 == 1 ? self[x - 1, y] : Int.random(in: 1...2)
                        }
                    }
                    self[x, y] = pixel
                }
            }
        }

        /// Two by four pixels to a Braille character, rows of characters ended by newlines.
        func braille() -> String {
            // The dot each pixel of a cell lights, as Unicode numbers a Braille cell's dots.
            let dots: [(x: Int, y: Int, bit: UInt32)] = [(0, 0, 0x01), (0, 1, 0x02), (0, 2, 0x04), (1, 0, 0x08), (1, 1, 0x10), (1, 2, 0x20), (0, 3, 0x40), (1, 3, 0x80)]
            var text = ""
            for y in stride(from: 0, to: height, by: 4) {
                for x in stride(from: 0, to: width, by: 2) {
                    let cell = dots.reduce(UInt32(0)) { self[x + $1.x, y + $1.y] != 0 ? $0 | $1.bit : $0 }
                    text.unicodeScalars.append(Unicode.Scalar(0x2800 + cell)!)
                }
                if y != height - 1 { text += "\n" }
            }
            return text
        }

        /// One space per pixel in its colour (foreground and background set alike).
        func colored() -> String {
            let escapes = ["0;30;40m", "0;90;100m", "0;37;47m", "0;97;107m"]
            var text = ""
            for y in 0..<height {
                for x in 0..<width { text += "\u{1B}[\(escapes[self[x, y]]) \u{1B}[0m" }
                if y != height - 1 { text += "\n" }
            }
            return text
        }
    }
}
