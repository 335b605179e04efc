#if canImport(Glibc)
    import Glibc
#endif

/// Writes generated rows as the approval system does: GB18030, CRLF, a header row, fields quoted
/// when they hold a comma, a quote or a line break.
public enum LicenseExportWriter {
    /// A problem writing the file: its path and what went wrong.
    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Writes `rows` rows from `generator` to `path`, calling `observe` with each row as written;
    /// returns the file's size in bytes.
    @discardableResult
    public static func write(
        rows: Int, to path: String, generator: inout LicenseExportGenerator,
        observe: (LicenseExportRow) -> Void = { _ in }
    ) throws(Failure) -> Int {
        let opened: iconv_t? = iconv_open("GB18030", "UTF-8")
        guard let converter = opened, Int(bitPattern: converter) != -1 else {
            throw Failure(path: path, reason: "iconv cannot write GB18030")
        }
        defer { iconv_close(converter) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw Failure(path: path, reason: "cannot be written (errno \(errno))") }
        defer { close(fd) }
        var size = 0
        var text = LicenseExportGenerator.header.joined(separator: ",") + "\r\n"
        func flush(_ raw: [UInt8] = []) throws(Failure) {
            var bytes = try encode(text, converter, path: path)
            bytes += raw
            text = ""
            var written = 0
            while written < bytes.count {
                let n = bytes.withUnsafeBytes {
                    Glibc.write(fd, $0.baseAddress.map { $0 + written }, bytes.count - written)
                }
                guard n > 0 else { throw Failure(path: path, reason: "write failed (errno \(errno))") }
                written += n
            }
            size += bytes.count
        }
        for _ in 0..<max(0, rows) {
            let row = generator.next()
            observe(row)
            if let line = row.rawLine {
                text += line + "\r\n"
            } else if let column = row.invalidColumn {
                // The bad bytes go in as they are, between the encoded text before and after them.
                text += row.values[..<column].map(quoted).joined(separator: ",") + ","
                try flush(row.invalidBytes)
                text += "," + row.values[(column + 1)...].map(quoted).joined(separator: ",") + "\r\n"
            } else {
                text += row.values.map(quoted).joined(separator: ",") + "\r\n"
            }
            if text.utf8.count > 1 << 20 { try flush() }
        }
        try flush()
        return size
    }

    /// A field as CSV writes it: quoted, its quotes doubled, when it holds a comma, a quote or a line break.
    public static func quoted(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return value }
        return "\"" + value.replacingOccurrences("\"", "\"\"") + "\""
    }

    private static func encode(_ text: String, _ converter: iconv_t, path: String) throws(Failure) -> [UInt8] {
        var input = Array(text.utf8)
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        let produced = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer -> Int in
                var inPointer = UnsafeMutableRawPointer(inBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var inLeft = inBuffer.count
                var outPointer = UnsafeMutableRawPointer(outBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                return result == -1 || inLeft != 0 ? -1 : outBuffer.count - outLeft
            }
        }
        guard produced >= 0 else { throw Failure(path: path, reason: "text that GB18030 cannot hold") }
        return Array(output[..<produced])
    }
}
