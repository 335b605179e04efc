import CredsyncCore

/// One row of an export: where it stands and its values by column.
public struct CatalogRow: Sendable {
    /// The export file.
    public var file: String
    /// The physical line the row starts on (the header is line 1 of a CSV).
    public var line: Int
    /// The values in the order of the reader's `columns`; nil where the row has no such value.
    public var values: [String?]

    public init(file: String, line: Int, values: [String?]) {
        self.file = file
        self.line = line
        self.values = values
    }
}

/// A row that could not be read, and why.
public struct RowProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var reason: String

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(FileSystem.baseName(file)) line \(line): \(reason)" }
}

/// What a reader yields: a row, or a row it could not read (reading goes on after it).
public enum CatalogItem: Sendable {
    case row(CatalogRow)
    case problem(RowProblem)
}

/// Reads an export row by row.
public protocol CatalogReader {
    /// The column names, in the order of every row's values.
    var columns: [String] { get }
    /// The next row or problem; nil at the end.
    mutating func next() -> CatalogItem?
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
