/// Splits CSV bytes into records per RFC 4180: fields separated by commas, records by CRLF or LF,
/// quoted fields holding commas, line breaks and doubled quotes. Works on bytes: in UTF-8 and
/// GB18030 alike, no byte of a multi-byte character is a comma, a quote, CR or LF.
struct CSVTokenizer {
    /// The fields of the records read so far, back to back: one buffer for them all, so a
    /// record costs no allocation of its own.
    struct Fields: Sendable {
        var bytes: [UInt8] = []
        /// Where each field ends in `bytes`; a field starts where the one before it ends.
        var ends: [Int] = []

        func field(_ index: Int) -> Range<Int> {
            (index == 0 ? 0 : ends[index - 1])..<ends[index]
        }

        /// Drops field `index` and every field after it, with their bytes.
        mutating func removeFields(from index: Int) {
            bytes.removeSubrange((index == 0 ? 0 : ends[index - 1])...)
            ends.removeSubrange(index...)
        }
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

    /// Reads the next record, its fields appended to `fields`: the line it starts on, a broken
    /// one's problem (line and reason; nothing appended), or nil at the end of the file.
    mutating func next(into fields: inout Fields) -> Result<Int, Broken>? {
        // Skip empty lines between records.
        while let byte = source.peek(), byte == 0x0A || byte == 0x0D {
            _ = source.next()
            if byte == 0x0A { line += 1 } else if source.peek() != 0x0A { line += 1 }
        }
        guard source.peek() != nil else { return nil }
        let startLine = line
        let firstField = fields.ends.count
        // What follows the record's first line break (which can only be inside quotes), kept to
        // read again from there should the quote turn out to be stray.
        var rest: [UInt8] = []
        var pastFirstLine = false
        var fieldStart = fields.bytes.count
        var inQuotes = false
        var quotedFieldLine = 0
        var fieldWasQuoted = false
        var afterClosingQuote = false

        func fail(_ reason: String, _ tokenizer: inout CSVTokenizer, _ fields: inout Fields) -> Result<Int, Broken> {
            tokenizer.skipRestOfLine()
            fields.removeFields(from: firstField)
            return .failure(Broken(line: startLine, reason: reason))
        }

        while true {
            // Plain bytes are copied a run at a time, up to the next byte that means something.
            if inQuotes {
                let copied = source.copyRun(into: &fields.bytes, quoted: true)
                if pastFirstLine && copied > 0 { rest.append(contentsOf: fields.bytes[(fields.bytes.count - copied)...]) }
            } else if !afterClosingQuote {
                source.copyRun(into: &fields.bytes, quoted: false)
            }
            guard let byte = source.next() else {
                if inQuotes {
                    fields.removeFields(from: firstField)
                    return recoverFromStrayQuote(rest: rest, startLine: startLine, quoteLine: quotedFieldLine)
                }
                fields.ends.append(fields.bytes.count)
                return .success(startLine)
            }
            if pastFirstLine { rest.append(byte) }
            if inQuotes {
                if byte == 0x22 {
                    if source.peek() == 0x22 {
                        _ = source.next()
                        if pastFirstLine { rest.append(0x22) }
                        fields.bytes.append(0x22)
                    } else {
                        inQuotes = false
                        afterClosingQuote = true
                    }
                } else {
                    if byte == 0x0A {
                        line += 1
                        pastFirstLine = true
                        if line - quotedFieldLine > Self.maxLinesInQuotedField {
                            fields.removeFields(from: firstField)
                            return recoverFromStrayQuote(rest: rest, startLine: startLine, quoteLine: quotedFieldLine)
                        }
                    }
                    fields.bytes.append(byte)
                }
                continue
            }
            switch byte {
            case 0x2C:  // ,
                fields.ends.append(fields.bytes.count)
                fieldStart = fields.bytes.count
                fieldWasQuoted = false
                afterClosingQuote = false
            case 0x0A, 0x0D:
                if byte == 0x0D, source.peek() == 0x0A { _ = source.next() }
                line += 1
                fields.ends.append(fields.bytes.count)
                return .success(startLine)
            case 0x22:  // "
                if fields.bytes.count == fieldStart && !fieldWasQuoted {
                    inQuotes = true
                    fieldWasQuoted = true
                    quotedFieldLine = line
                } else {
                    return fail("broken quoting: a quote inside field \(fields.ends.count - firstField + 1) that does not start with one", &self, &fields)
                }
            default:
                if afterClosingQuote {
                    return fail("broken quoting: text after the closing quote of field \(fields.ends.count - firstField + 1)", &self, &fields)
                }
                fields.bytes.append(byte)
            }
        }
    }

    /// A quote opened on `quoteLine` that never closed (or ran on too long): report the record as
    /// broken and read on from the line after the one the record started on.
    private mutating func recoverFromStrayQuote(rest: [UInt8], startLine: Int, quoteLine: Int) -> Result<Int, Broken> {
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
