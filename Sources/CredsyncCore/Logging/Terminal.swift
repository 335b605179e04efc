#if canImport(Glibc)
    import Glibc
#endif

/// What credsync asks of the terminal it writes to: its width, and whether colour is wanted.
public enum Terminal {
    /// The columns to wrap at: `$COLUMNS` when set to a number, else the width of the terminal on
    /// `fileDescriptor`, else 80 (a pipe or a file).
    public static func columns(environment: [String: String], fileDescriptor: Int32 = 1) -> Int {
        if let text = environment["COLUMNS"], let columns = Int(text), columns > 0 { return max(columns, 40) }
        var size = winsize()
        if isatty(fileDescriptor) == 1, ioctl(fileDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return max(Int(size.ws_col), 40)
        }
        return 80
    }

    /// Whether colour may be used: never when `NO_COLOR` is set to anything but the empty string
    /// (no-color.org), nor when `TERM` is `dumb`.
    public static func allowsColor(environment: [String: String]) -> Bool {
        if let value = environment["NO_COLOR"], !value.isEmpty { return false }
        return environment["TERM"] != "dumb"
    }

    /// The columns `text` takes in a terminal: CJK and full-width characters two, combining marks none.
    public static func displayWidth(_ text: String) -> Int {
        var width = 0
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x20 || (0x300...0x36F).contains(value) || (0x200B...0x200F).contains(value)
                || (0xFE00...0xFE0F).contains(value)
            {
                continue
            }
            let wide =
                (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value)
                || (0xAC00...0xD7A3).contains(value) || (0xF900...0xFAFF).contains(value)
                || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
                || (0xFFE0...0xFFE6).contains(value) || value >= 0x20000
            width += wide ? 2 : 1
        }
        return width
    }

    /// `text` broken into lines of at most `width` columns at spaces (a word longer than the
    /// width stands alone on its line).
    public static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        var lineWidth = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let wordWidth = displayWidth(String(word))
            if !line.isEmpty && lineWidth + 1 + wordWidth > width {
                lines.append(line)
                line = ""
                lineWidth = 0
            }
            if !line.isEmpty {
                line += " "
                lineWidth += 1
            }
            line += word
            lineWidth += wordWidth
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }
}
