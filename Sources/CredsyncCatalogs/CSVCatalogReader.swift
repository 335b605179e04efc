#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore

/// Reads a CSV export with a header row, as RFC 4180 says, in UTF-8, GB18030 or either.
/// Reading splits the file into rows; decoding them is left to `CatalogBatch.items()`, which the
/// mapping threads call.
public struct CSVCatalogReader: CatalogReader {
    public let columns: [String]
    /// The header's column names, as the file has them.
    public let header: [String]
    private var tokenizer: CSVTokenizer
    private var choice: TextDecoder.Choice
    private let path: String
    /// Where each wanted column stands in the header.
    private let indexes: [Int]
    /// Rows `next()` has decoded but not handed out yet.
    private var pending: [CatalogItem] = []
    private var pendingIndex = 0

    /// Opens `path` and reads its header. A missing or unreadable header, or a wanted column the
    /// header lacks, throws: no row of the file can be read then.
    public init(path: String, encoding: CatalogConfig.Encoding, columns: [String]) throws(RowProblem) {
        self.path = path
        self.columns = columns
        let decoder = TextDecoder(encoding)
        tokenizer = CSVTokenizer(source: try ByteSource(path: path))
        if tokenizer.skipByteOrderMark() { decoder.sawByteOrderMark() }
        var fields = CSVTokenizer.Fields()
        guard let first = tokenizer.next(into: &fields) else {
            throw RowProblem(file: path, line: 1, reason: "the file is empty: no header row")
        }
        if case .failure(let problem) = first {
            throw RowProblem(file: path, line: problem.line, reason: "the header row cannot be read: \(problem.reason)")
        }
        var names: [String] = []
        for i in fields.ends.indices {
            let range = fields.field(i)
            guard let name = decoder.decode(fields, field: i) else {
                let why = fields.bytes.withUnsafeBufferPointer {
                    decoder.problem(UnsafeBufferPointer(rebasing: $0[range]))
                }
                throw RowProblem(file: path, line: 1, reason: "header column \(i + 1): \(why)")
            }
            let trimmed = name.trimmingSpaces()
            // Two columns of one name: either could be the one meant, so the file is not read.
            if !trimmed.isEmpty, let other = names.firstIndex(of: trimmed) {
                throw RowProblem(
                    file: path, line: 1,
                    reason: "the header names \"\(trimmed)\" twice, in columns \(other + 1) and \(i + 1): "
                        + "rename or drop one of them")
            }
            names.append(trimmed)
        }
        header = names
        tokenizer.expectedFields = names.count
        choice = decoder.choice
        var indexes: [Int] = []
        for column in columns {
            guard let index = names.firstIndex(of: column) else {
                let suggestion =
                    DidYouMean.suggestion(for: column, among: names).map { "; did you mean \"\($0)\"?" } ?? ""
                throw RowProblem(
                    file: path, line: 1,
                    reason: "the header has no column \"\(column)\", which the mapping needs\(suggestion)")
            }
            indexes.append(index)
        }
        self.indexes = indexes
    }

    public mutating func next() -> CatalogItem? {
        if pendingIndex == pending.count {
            guard let batch = nextBatch(limit: 256) else { return nil }
            pending = batch.items()
            pendingIndex = 0
            if pending.isEmpty { return nil }
        }
        pendingIndex += 1
        return pending[pendingIndex - 1]
    }

    /// Up to `limit` rows, split into fields but not decoded.
    public mutating func nextBatch(limit: Int) -> CatalogBatch? {
        var rows = CSVRows(path: path, header: header, indexes: indexes, choice: choice)
        while rows.entries.count < limit {
            let firstField = rows.fields.ends.count
            guard let result = tokenizer.next(into: &rows.fields) else { break }
            switch result {
            case .failure(let problem):
                let decoder = TextDecoder(choice: choice)
                let fragments = problem.pieces.map { decoder.leniently($0) }
                let broken = RowProblem(file: path, line: problem.line, reason: problem.reason, fragments: fragments)
                rows.entries.append(.problem(broken))
            case .success(let line):
                rows.entries.append(.row(line: line, firstField: firstField))
                if choice == .undecided { decideEncoding(rows.fields, firstField: firstField) }
            }
        }
        guard !rows.entries.isEmpty else { return nil }
        rows.choice = choice
        return CatalogBatch(csv: rows)
    }

    /// With `auto`, the first wanted field that is not ASCII decides for the whole file: valid
    /// UTF-8 means UTF-8, anything else GB18030. Decided here, in file order, before any row of
    /// the batch is decoded.
    private mutating func decideEncoding(_ fields: CSVTokenizer.Fields, firstField: Int) {
        for index in indexes {
            let range = fields.field(firstField + index)
            let isASCII = fields.bytes[range].allSatisfy { $0 < 0x80 }
            if isASCII { continue }
            let isUTF8 = fields.bytes.withUnsafeBufferPointer {
                UTF8Text.isWellFormed(UnsafeBufferPointer(rebasing: $0[range]))
            }
            choice = isUTF8 ? .utf8 : .gb18030
            return
        }
    }
}

/// CSV rows split into fields, waiting to be decoded.
struct CSVRows: Sendable {
    enum Entry: Sendable {
        case row(line: Int, firstField: Int)
        indirect case problem(RowProblem)
    }

    let path: String
    let header: [String]
    let indexes: [Int]
    var choice: TextDecoder.Choice
    var fields = CSVTokenizer.Fields()
    var entries: [Entry] = []

    init(path: String, header: [String], indexes: [Int], choice: TextDecoder.Choice) {
        self.path = path
        self.header = header
        self.indexes = indexes
        self.choice = choice
    }

    /// Every row's values decoded, or the problem that stops it.
    func items() -> [CatalogItem] {
        let decoder = TextDecoder(choice: choice)
        // The path every row names, in storage of this call's own: rows mapped on different
        // threads then do not share one string's reference count.
        let path = String(decoding: Array(self.path.utf8), as: UTF8.self)
        var items: [CatalogItem] = []
        items.reserveCapacity(entries.count)
        // Each column's last value and the field it came from: a value repeated from the row
        // before (an agency, a category, a status) is taken again instead of decoded again.
        // Kept apart, so that a repeated value moves only its field number, not its text's reference count.
        var previous = Previous(
            texts: Array(repeating: nil, count: indexes.count), fields: Array(repeating: -1, count: indexes.count))
        // And each column's recent short values, which hold the row before's: those are found there.
        var recent = Array(repeating: RecentValues(), count: indexes.count)
        fields.bytes.withUnsafeBufferPointer { bytes in
            for entry in entries {
                switch entry {
                case .problem(let problem): items.append(.problem(problem))
                case .row(let line, let firstField):
                    items.append(
                        row(
                            line: line, firstField: firstField, bytes: bytes, decoder, path: path, previous: &previous,
                            recent: &recent))
                }
            }
        }
        return items
    }

    /// Each column's last text and the field it was read from (-1: none).
    struct Previous {
        var texts: [String?]
        var fields: [Int]
    }

    private func row(
        line: Int, firstField: Int, bytes: UnsafeBufferPointer<UInt8>, _ decoder: TextDecoder, path: String,
        previous: inout Previous, recent: inout [RecentValues]
    ) -> CatalogItem {
        var values: [String?] = []
        values.reserveCapacity(indexes.count)
        for (column, index) in indexes.enumerated() {
            let field = firstField + index
            let range = fields.field(field)
            // A short value is looked for among the batch's recent ones (the row before's among
            // them); an empty or long one, or one of a column whose values hardly repeat, is
            // compared with the row before's only.
            let isRecent = !range.isEmpty && range.count <= RecentValues.longest && !recent[column].isGivenUp
            var slot = 0
            if isRecent {
                slot = RecentValues.slot(bytes, range)
                if let text = recent[column].text(bytes, range, slot: slot) {
                    values.append(text)
                    continue
                }
            } else {
                let last = previous.fields[column]
                if last >= 0, Self.sameBytes(bytes, fields.field(last), range) {
                    values.append(previous.texts[column])
                    previous.fields[column] = field
                    continue
                }
            }
            guard let text = decoder.decode(UnsafeBufferPointer(rebasing: bytes[range])) else {
                previous.fields[column] = -1
                return damaged(line: line, firstField: firstField, bytes: bytes, decoder, path: path)
            }
            values.append(text)
            if isRecent {
                recent[column].keep(text, from: range, slot: slot)
            } else {
                previous.texts[column] = text
                previous.fields[column] = field
            }
        }
        return .row(CatalogRow(file: path, line: line, values: values))
    }

    /// A row with a value that cannot be read: set aside by the mapping, every value that can be
    /// read kept so that its key may still be recovered. A byte-order mark is dropped from the
    /// value it stands in, and reported.
    private func damaged(
        line: Int, firstField: Int, bytes: UnsafeBufferPointer<UInt8>, _ decoder: TextDecoder, path: String
    ) -> CatalogItem {
        var values: [String?] = []
        var damage: [RowDamage] = []
        for index in indexes {
            let field = UnsafeBufferPointer(rebasing: bytes[fields.field(firstField + index)])
            if let text = decoder.decode(field) {
                values.append(text)
                continue
            }
            damage.append(RowDamage(column: header[index], problem: decoder.problem(field)))
            let stripped = decoder.withoutByteOrderMarks(field)
            values.append(stripped.count == field.count ? nil : stripped.withUnsafeBufferPointer { decoder.decode($0) })
        }
        return .row(CatalogRow(file: path, line: line, values: values, damage: damage))
    }

    private static func sameBytes(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count, let base = bytes.baseAddress else { return a.count == b.count }
        return a.isEmpty || memcmp(base + a.lowerBound, base + b.lowerBound, a.count) == 0
    }
}
