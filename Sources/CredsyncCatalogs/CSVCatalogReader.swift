import CredsyncCore

/// Reads a CSV export with a header row, as RFC 4180 says, in UTF-8, GB18030 or either.
public struct CSVCatalogReader: CatalogReader {
    public let columns: [String]
    /// The header's column names, as the file has them.
    public let header: [String]
    private var tokenizer: CSVTokenizer
    private let decoder: TextDecoder
    private let path: String
    /// Where each wanted column stands in the header.
    private let indexes: [Int]

    /// Opens `path` and reads its header. A missing or unreadable header, or a wanted column the
    /// header lacks, throws: no row of the file can be read then.
    public init(path: String, encoding: CatalogConfig.Encoding, columns: [String]) throws(RowProblem) {
        self.path = path
        self.columns = columns
        decoder = TextDecoder(encoding)
        tokenizer = CSVTokenizer(source: try ByteSource(path: path))
        if tokenizer.skipByteOrderMark() { decoder.sawByteOrderMark() }
        guard let first = tokenizer.next() else { throw RowProblem(file: path, line: 1, reason: "the file is empty: no header row") }
        let record: CSVTokenizer.Record
        switch first {
        case .failure(let problem): throw RowProblem(file: path, line: problem.line, reason: "the header row cannot be read: \(problem.reason)")
        case .success(let value): record = value
        }
        var names: [String] = []
        for (i, field) in record.fields.enumerated() {
            guard let name = decoder.decode(field) else {
                throw RowProblem(file: path, line: 1, reason: "header column \(i + 1) is not valid \(decoder.encodingName)")
            }
            names.append(name.trimmingSpaces())
        }
        header = names
        var indexes: [Int] = []
        for column in columns {
            guard let index = names.firstIndex(of: column) else {
                let suggestion = DidYouMean.suggestion(for: column, among: names).map { "; did you mean \"\($0)\"?" } ?? ""
                throw RowProblem(file: path, line: 1, reason: "the header has no column \"\(column)\", which the mapping needs\(suggestion)")
            }
            indexes.append(index)
        }
        self.indexes = indexes
    }

    public mutating func next() -> CatalogItem? {
        guard let result = tokenizer.next() else { return nil }
        switch result {
        case .failure(let problem):
            return .problem(RowProblem(file: path, line: problem.line, reason: problem.reason))
        case .success(let record):
            guard record.fields.count == header.count else {
                return .problem(RowProblem(file: path, line: record.line,
                    reason: "has \(record.fields.count) fields, the header has \(header.count)"))
            }
            var values: [String?] = []
            values.reserveCapacity(indexes.count)
            for index in indexes {
                guard let text = decoder.decode(record.fields[index]) else {
                    let bytes = record.fields[index].prefix(8).map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
                    return .problem(RowProblem(file: path, line: record.line,
                        reason: "column \(header[index]): bytes that are not valid \(decoder.encodingName) (\(bytes)…)"))
                }
                values.append(text)
            }
            return .row(CatalogRow(file: path, line: record.line, values: values))
        }
    }
}
