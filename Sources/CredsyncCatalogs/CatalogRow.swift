public import CredsyncCore

/// One row of an export: where it stands and its values by column.
public struct CatalogRow: Sendable {
    /// The export file.
    public var file: String
    /// The physical line the row starts on (the header is line 1 of a CSV).
    public var line: Int
    /// The values in the order of the reader's `columns`; nil where the row has no such value.
    public var values: [String?]
    /// What is wrong with a row whose fields could still be told apart (a value that is not valid
    /// text, a stray byte-order mark); empty for a sound row. Such a row is set aside; its damaged
    /// values are nil, or stripped of the byte-order mark.
    public var damage: [RowDamage]

    public init(file: String, line: Int, values: [String?], damage: [RowDamage] = []) {
        self.file = file
        self.line = line
        self.values = values
        self.damage = damage
    }
}

/// What is wrong with one value of a row (or, without a column, with the whole line).
public struct RowDamage: Sendable, Equatable, CustomStringConvertible {
    /// The export's column (a CSV header name or a JSON key); nil for the line as a whole.
    public var column: String?
    public var problem: String

    public init(column: String?, problem: String) {
        self.column = column
        self.problem = problem
    }

    public var description: String { column.map { "column \($0): \(problem)" } ?? problem }
}

/// A row that could not be read, and why.
public struct RowProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var reason: String
    /// The texts of the row that could be read, one a field as far as fields could be told apart:
    /// where the key of a published record may still be recognised.
    public var fragments: [String]

    public init(file: String, line: Int, reason: String, fragments: [String] = []) {
        self.file = file
        self.line = line
        // A reason can quote what it found (a JSON key, say): a megabyte of it helps nobody.
        self.reason = reason.utf8.count > 1000 ? PersonalData.prefix(reason, characters: 500) + "… (cut)" : reason
        self.fragments = fragments
    }

    public var description: String { "\(FileSystem.baseName(file)) line \(line): \(reason)" }
}

/// What a reader yields: a row, or a row it could not read (reading goes on after it).
public enum CatalogItem: Sendable {
    case row(CatalogRow)
    indirect case problem(RowProblem)
}

/// Reads an export row by row.
public protocol CatalogReader {
    /// The column names, in the order of every row's values.
    var columns: [String] { get }
    /// The next row or problem; nil at the end.
    mutating func next() -> CatalogItem?
    /// Up to `limit` rows or problems, maybe not decoded yet (`CatalogBatch.items()` does that,
    /// on any thread); nil at the end.
    mutating func nextBatch(limit: Int) -> CatalogBatch?
}

extension CatalogReader {
    public mutating func nextBatch(limit: Int) -> CatalogBatch? {
        var items: [CatalogItem] = []
        while items.count < limit, let item = next() { items.append(item) }
        return items.isEmpty ? nil : CatalogBatch(items: items)
    }
}

/// Rows as a reader hands them over in bulk: decoded, or split into fields and decoded when
/// `items()` is called, so that decoding runs on the threads that map.
public struct CatalogBatch: Sendable {
    private enum Content: Sendable {
        case items([CatalogItem])
        case csv(CSVRows)
    }

    private let content: Content

    init(items: [CatalogItem]) { content = .items(items) }
    init(csv: CSVRows) { content = .csv(csv) }

    /// How many rows and problems the batch holds.
    public var count: Int {
        switch content {
        case .items(let items): return items.count
        case .csv(let rows): return rows.entries.count
        }
    }

    /// The rows and problems, in file order.
    public func items() -> [CatalogItem] {
        switch content {
        case .items(let items): return items
        case .csv(let rows): return rows.items()
        }
    }
}

/// Opens an export as its configuration says.
public enum Catalogs {
    /// A reader for `catalog`, yielding the values of `columns` for every row. A file that cannot be
    /// opened, or a CSV whose header lacks a column, throws: the export is unusable as a whole.
    public static func open(_ catalog: CatalogConfig, columns: [String]) throws(RowProblem) -> any CatalogReader {
        switch catalog.format {
        case .csv: return try CSVCatalogReader(path: catalog.path, encoding: catalog.encoding, columns: columns)
        case .jsonl: return try JSONLinesCatalogReader(path: catalog.path, encoding: catalog.encoding, columns: columns)
        }
    }
}
