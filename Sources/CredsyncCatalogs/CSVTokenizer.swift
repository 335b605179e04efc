/// Splits CSV bytes into records per RFC 4180: fields separated by commas, records by CRLF or LF,
/// quoted fields holding commas, line breaks and doubled quotes. Works on bytes: in UTF-8 and
/// GB18030 alike, no byte of a multi-byte character is a comma, a quote, CR or LF.
struct CSVTokenizer {
    /// One record: the line it starts on and its fields' bytes.
    struct Record {
        var line: Int
        var fields: [ArraySlice<UInt8>]
    }

    /// A record that could not be read: the line it starts on and why.
    struct Broken: Error {
        var line: Int
        var reason: String
    }

    /// A quoted field longer than this many lines is taken as a stray quote, not a real field.
    static let maxLinesInQuotedField = 50

    private(set) var source: ByteSource
    /// The line the next byte is on.
    private(set) var line = 1

    init(source: ByteSource) {
        self.source = source
    }

    /// Skips a UTF-8 byte-order mark; returns whether there was one.
    mutating func skipByteOrderMark() -> Bool {
        guard source.peek() == 0xEF else { return false }
        var taken: [UInt8] = []
        for expected: UInt8 in [0xEF, 0xBB, 0xBF] {
            guard let byte = source.next() else { break }
            taken.append(byte)
            if byte != expected {
                source.unread(taken[...])
                return false
            }
        }
        return taken.count == 3
    }

    /// The next record, a broken one's problem (line and reason), or nil at the end of the file.
    mutating func next() -> Result<Record, Broken>? {
        // Skip empty lines between records.
        while let byte = source.peek(), byte == 0x0A || byte == 0x0D {
            _ = source.next()
            if byte == 0x0A { line += 1 } else if source.peek() != 0x0A { line += 1 }
        }
        guard source.peek() != nil else { return nil }
        let startLine = line
        var bytes: [UInt8] = []
        var bounds: [Range<Int>] = []
        // What follows the record's first line break (which can only be inside quotes), kept to
        // read again from there should the quote turn out to be stray.
        var rest: [UInt8] = []
        var pastFirstLine = false
        var fieldStart = 0
        var inQuotes = false
        var quotedFieldLine = 0
        var fieldWasQuoted = false
        var afterClosingQuote = false

        func fail(_ reason: String, _ tokenizer: inout CSVTokenizer) -> Result<Record, Broken> {
            tokenizer.skipRestOfLine()
            return .failure(Broken(line: startLine, reason: reason))
        }

        while true {
            guard let byte = source.next() else {
                if inQuotes {
                    return recoverFromStrayQuote(rest: rest, startLine: startLine, quoteLine: quotedFieldLine)
                }
                bounds.append(fieldStart..<bytes.count)
                return .success(Record(line: startLine, fields: bounds.map { bytes[$0] }))
            }
            if pastFirstLine { rest.append(byte) }
            if inQuotes {
                if byte == 0x22 {
                    if source.peek() == 0x22 {
                        _ = source.next()
                        if pastFirstLine { rest.append(0x22) }
                        bytes.append(0x22)
                    } else {
                        inQuotes = false
                        afterClosingQuote = true
                    }
                } else {
                    if byte == 0x0A {
                        line += 1
                        pastFirstLine = true
                        if line - quotedFieldLine > Self.maxLinesInQuotedField {
                            return recoverFromStrayQuote(rest: rest, startLine: startLine, quoteLine: quotedFieldLine)
                        }
                    }
                    bytes.append(byte)
                }
                continue
            }
            switch byte {
            case 0x2C:  // ,
                bounds.append(fieldStart..<bytes.count)
                fieldStart = bytes.count
                fieldWasQuoted = false
                afterClosingQuote = false
            case 0x0A, 0x0D:
                if byte == 0x0D, source.peek() == 0x0A { _ = source.next() }
                line += 1
                bounds.append(fieldStart..<bytes.count)
                return .success(Record(line: startLine, fields: bounds.map { bytes[$0] }))
            case 0x22:  // "
                if bytes.count == fieldStart && !fieldWasQuoted {
                    inQuotes = true
                    fieldWasQuoted = true
                    quotedFieldLine = line
                } else {
                    return fail("broken quoting: a quote inside field \(bounds.count + 1) that does not start with one", &self)
                }
            default:
                if afterClosingQuote {
                    return fail("broken quoting: text after the closing quote of field \(bounds.count + 1)", &self)
                }
                bytes.append(byte)
            }
        }
    }

    /// A quote opened on `quoteLine` that never closed (or ran on too long): report the record as
    /// broken and read on from the line after the one the record started on.
    private mutating func recoverFromStrayQuote(rest: [UInt8], startLine: Int, quoteLine: Int) -> Result<Record, Broken> {
        if !rest.isEmpty { source.unread(rest[...]) }
        line = startLine + 1
        return .failure(Broken(line: startLine, reason: "broken quoting: the quote opened on line \(quoteLine) is never closed"))
    }

    private mutating func skipRestOfLine() {
        while let byte = source.next() {
            if byte == 0x0A {
                line += 1
                return
            }
        }
    }
}
