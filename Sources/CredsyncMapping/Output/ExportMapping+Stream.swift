import CredsyncCatalogs
import CredsyncCore
import Foundation

extension ExportMapping {
    /// The valid records in file order, each handed to `body` on this thread as soon as its chunk
    /// is mapped and then dropped, so memory stays bounded however long the export is. A key used
    /// twice sets both rows aside, which only the whole file shows: a first pass finds those keys
    /// (as `collect` does, keeping no record), the second maps the file again and hands over the
    /// others. The result is the first pass's (`records` empty, `droppedRecords` counting them).
    /// An export that changes between the passes throws: what was handed over may be mixed.
    public func stream(progress: ProgressLine? = nil, _ body: (MappedRecord) -> Void) throws(RowProblem) -> ExportResult {
        let (export, _) = try collect(progress: progress, keepRecords: false) { _ in () }
        let duplicated = Set(
            export.setAside.lazy.filter { $0.reasons.contains { $0.rule == "E_DUPLICATE_KEY" } }.map(\.line))
        var rows = 0
        var handed = 0
        try mapRows(
            workers: ProcessInfo.processInfo.activeProcessorCount, progress: nil,
            chunk: { StreamChunk(rows: $0) },
            { chunk, outcome in
                chunk.rows += 1
                if case .success(.record(let record)) = outcome, !duplicated.contains(record.line) {
                    chunk.records.append(record)
                }
            },
            consume: { chunk in
                rows += chunk.rows
                handed += chunk.records.count
                for record in chunk.records { body(record) }
            })
        guard rows == export.rowsRead, handed == export.droppedRecords else {
            throw RowProblem(
                file: catalog.path, line: 0,
                reason: "the export changed while it was read (\(export.rowsRead) rows, then \(rows)): "
                    + "run again once it is written whole")
        }
        return export
    }
}

/// One chunk of the second pass of `stream`: its valid records, and how many rows it held.
struct StreamChunk: Sendable {
    var rows = 0
    var records: [MappedRecord] = []

    init(rows count: Int) { records.reserveCapacity(count) }
}
