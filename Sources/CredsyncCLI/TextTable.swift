/// Columns aligned for a terminal, numbers right-aligned.
///
/// Widths are terminal columns: Chinese characters (East Asian wide and full-width forms) take
/// two, combining marks none, so a table of Chinese keys still lines up.
enum TextTable {
    static func render(_ rows: [[String]]) -> [String] {
        guard let first = rows.first else { return [] }
        let widths = rows.map { $0.map(displayWidth) }
        var columns = first.map { _ in 0 }
        for row in widths {
            for (i, width) in row.enumerated() where i < columns.count { columns[i] = max(columns[i], width) }
        }
        var lines: [String] = []
        lines.reserveCapacity(rows.count)
        for (row, cellWidths) in zip(rows, widths) {
            var line = ""
            for (i, cell) in row.enumerated() {
                let pad = i < columns.count ? columns[i] - cellWidths[i] : 0
                if i > 0 { line += "  " }
                if isNumber(cell) {
                    line += String(repeating: " ", count: pad) + cell
                } else {
                    line += cell
                    if i < row.count - 1 { line += String(repeating: " ", count: pad) }
                }
            }
            while line.utf8.last == UInt8(ascii: " ") { line.removeLast() }
            lines.append(line)
        }
        return lines
    }

    static func isNumber(_ cell: String) -> Bool {
        !cell.isEmpty && cell.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// The columns `text` takes in a terminal.
    static func displayWidth(_ text: String) -> Int {
        var width = 0
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x300 {
                width += value < 0x20 ? 0 : 1
            } else if (0x300...0x36F).contains(value) || (0x200B...0x200F).contains(value)
                || (0xFE00...0xFE0F).contains(value)
            {
                continue
            } else if isWide(value) {
                width += 2
            } else {
                width += 1
            }
        }
        return width
    }

    /// East Asian Wide and Fullwidth ranges (Unicode 15, the blocks a provincial record can hold).
    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
