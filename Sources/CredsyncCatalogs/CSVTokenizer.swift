/// Splits CSV bytes into records per RFC 4180: fields separated by commas, records by CRLF, LF or
/// CR, quoted fields holding commas, line breaks and doubled quotes. Works on bytes: in UTF-8 and
/// GB18030 alike, no byte of a multi-byte character is a comma, a quote, CR or LF.
///
/// A record that cannot be read is reported and reading goes on: from the next line when the
/// record spans one line, else from the record's second line, so a stray quote never swallows
/// the rows after it. A file that ends inside a record (no line end after it, or inside quotes)
/// reports that record as truncated.
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

    /// A record that could not be read: the line it starts on, why, and the pieces of its first
    /// line that could be its fields (to recognise the key of a published record in).
    struct Broken: Error {
        var line: Int
        var reason: String
        var pieces: [[UInt8]] = []
    }

    /// A quoted field longer than this many lines is taken as a stray quote, not a real field.
    static let maxLinesInQuotedField = 50

    private(set) var source: ByteSource
    /// The line the next byte is on.
    private(set) var line = 1
    /// How many fields a record must have (the header's count); nil while reading the header.
    var expectedFields: Int?

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
            if byte != expected { break }
        }
        if taken == [0xEF, 0xBB, 0xBF] { return true }
        source.unread(taken[...])
        return false
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
        // Set at the record's first line break (which can only be inside quotes): the start of
        // its second line, to read again from should the record turn out to be broken.
        var spansLines = false
        var fieldStart = fields.bytes.count
        var inQuotes = false
        var quotedFieldLine = 0
        var fieldWasQuoted = false
        var afterClosingQuote = false

        while true {
            // Plain bytes are copied a run at a time, up to the next byte that means something.
            if inQuotes {
                source.copyRun(into: &fields.bytes, quoted: true)
            } else if !afterClosingQuote {
                source.copyRun(into: &fields.bytes, quoted: false)
            }
            guard let byte = source.next() else {
                // A quote left open over several lines is more likely stray than cut: the lines
                // after it are read again, and a cut shows on the last of them.
                let reason =
                    !inQuotes
                    ? "the file ends inside this record, with no line end after it: is the export truncated?"
                    : spansLines
                        ? "broken quoting: the quote opened on line \(quotedFieldLine) is never closed"
                        : "the file ends inside the quoted field opened on line \(quotedFieldLine): "
                            + "is the export truncated?"
                return broken(reason, &fields, from: firstField, startLine: startLine, spansLines: spansLines)
            }
            if inQuotes {
                switch byte {
                case 0x22:
                    if source.peek() == 0x22 {
                        _ = source.next()
                        fields.bytes.append(0x22)
                    } else {
                        inQuotes = false
                        afterClosingQuote = true
                    }
                case 0x0A, 0x0D:
                    fields.bytes.append(byte)
                    if byte == 0x0D, source.peek() == 0x0A {
                        _ = source.next()
                        fields.bytes.append(0x0A)
                    }
                    line += 1
                    if !spansLines {
                        spansLines = true
                        source.mark()
                    }
                    if line - quotedFieldLine > Self.maxLinesInQuotedField {
                        return broken(
                            "broken quoting: the quote opened on line \(quotedFieldLine) is not closed within "
                                + "\(Self.maxLinesInQuotedField) lines",
                            &fields, from: firstField, startLine: startLine, spansLines: true)
                    }
                default:
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
                let count = fields.ends.count - firstField
                if let expected = expectedFields, count != expected {
                    let reason =
                        spansLines
                        ? "has \(count) fields over lines \(startLine)-\(line - 1), the header has \(expected): "
                            + "a stray quote?"
                        : "has \(count) fields, the header has \(expected)"
                    return broken(
                        reason, &fields, from: firstField, startLine: startLine, spansLines: spansLines, lineDone: true)
                }
                if spansLines { source.unmark() }
                return .success(startLine)
            case 0x22:  // "
                if fields.bytes.count == fieldStart && !fieldWasQuoted {
                    inQuotes = true
                    fieldWasQuoted = true
                    quotedFieldLine = line
                } else {
                    let reason =
                        "broken quoting: a quote inside field \(fields.ends.count - firstField + 1) "
                        + "that does not start with one"
                    return broken(reason, &fields, from: firstField, startLine: startLine, spansLines: spansLines)
                }
            default:
                if afterClosingQuote {
                    let reason =
                        "broken quoting: text after the closing quote of field \(fields.ends.count - firstField + 1)"
                    return broken(reason, &fields, from: firstField, startLine: startLine, spansLines: spansLines)
                }
                fields.bytes.append(byte)
            }
        }
    }

    /// Gives up the record that started on `startLine`: its fields are dropped (kept as the
    /// problem's pieces), and reading goes on from its second line when it spans several (the
    /// mark), else from the next line (`lineDone`: the record's line end is already taken).
    private mutating func broken(
        _ reason: String, _ fields: inout Fields, from firstField: Int, startLine: Int, spansLines: Bool,
        lineDone: Bool = false
    ) -> Result<Int, Broken> {
        var pieces: [[UInt8]] = []
        let start = firstField == 0 ? 0 : fields.ends[firstField - 1]
        var pieceStart = start
        for end in fields.ends[firstField...] {
            pieces.append(Array(fields.bytes[pieceStart..<end]))
            pieceStart = end
        }
        if pieceStart < fields.bytes.count { pieces.append(Array(fields.bytes[pieceStart...])) }
        fields.removeFields(from: firstField)
        if spansLines {
            source.rewind()
            line = startLine + 1
        } else if !lineDone {
            pieces += skipRestOfLine()
        }
        return .failure(Broken(line: startLine, reason: reason, pieces: pieces))
    }

    /// Skips to the start of the next line (after CRLF, LF or CR); returns what it skipped,
    /// split at commas and quotes, the empty pieces left out.
    private mutating func skipRestOfLine() -> [[UInt8]] {
        var pieces: [[UInt8]] = [[]]
        while let byte = source.next() {
            switch byte {
            case 0x0A, 0x0D:
                if byte == 0x0D, source.peek() == 0x0A { _ = source.next() }
                line += 1
                return pieces.filter { !$0.isEmpty }
            case 0x2C, 0x22: pieces.append([])
            default: pieces[pieces.count - 1].append(byte)
            }
        }
        return pieces.filter { !$0.isEmpty }
    }
}
