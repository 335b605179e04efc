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
        var output = try Output(path: path)
        defer { output.close() }
        try output.append(LicenseExportGenerator.header.joined(separator: ",") + "\r\n")
        for _ in 0..<max(0, rows) {
            let row = generator.next()
            observe(row)
            if let line = row.rawLine {
                try output.append(line + "\r\n")
            } else if let column = row.invalidColumn {
                // The bad bytes go in as they are, between the encoded text before and after them.
                try output.append(row.values[..<column].map(quoted).joined(separator: ",") + ",")
                try output.flush(row.invalidBytes)
                try output.append("," + row.values[(column + 1)...].map(quoted).joined(separator: ",") + "\r\n")
            } else {
                try output.append(row.values.map(quoted).joined(separator: ",") + "\r\n")
            }
        }
        try output.flush()
        return output.size
    }

    /// Writes `header` and then each of `lines` (CRLF after each) to `path` in GB18030; returns the
    /// file's size in bytes.
    @discardableResult
    public static func write(header: String, lines: some Sequence<String>, to path: String) throws(Failure) -> Int {
        var output = try Output(path: path)
        defer { output.close() }
        try output.append(header + "\r\n")
        for line in lines { try output.append(line + "\r\n") }
        try output.flush()
        return output.size
    }

    /// A GB18030 file being written: UTF-8 text gathered and encoded a megabyte at a time.
    struct Output {
        let path: String
        let converter: iconv_t
        let fd: Int32
        var text = ""
        var size = 0

        init(path: String) throws(Failure) {
            let opened: iconv_t? = iconv_open("GB18030", "UTF-8")
            guard let converter = opened, Int(bitPattern: converter) != -1 else {
                throw Failure(path: path, reason: "iconv cannot write GB18030")
            }
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else {
                iconv_close(converter)
                throw Failure(path: path, reason: "cannot be written (errno \(errno))")
            }
            (self.path, self.converter, self.fd) = (path, converter, fd)
        }

        mutating func append(_ more: String) throws(Failure) {
            text += more
            if text.utf8.count > 1 << 20 { try flush() }
        }

        /// Encodes and writes the text gathered, then `raw` as it is.
        mutating func flush(_ raw: [UInt8] = []) throws(Failure) {
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

        func close() {
            iconv_close(converter)
            Glibc.close(fd)
        }
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
