public import CredsyncCatalogs
public import CredsyncCore
import Foundation
public import CredsyncFormats
import _CredsyncEngine

extension ExportMapping {
    /// The valid records in file order, each handed to `body` on this thread as soon as its chunk
    /// is mapped and then dropped, so memory stays bounded however long the export is. A key used
    /// twice sets both rows aside, which only the whole file shows, so the file is read more than
    /// once: first every row's outcome with only each valid key's hash and line kept; when two
    /// hashes agree, those rows' keys again, compared byte for byte (as `collect` does); last the
    /// records handed over. The result is `collect`'s without the records (`droppedRecords`
    /// counts them). An export that changes between the passes throws: what was handed may be mixed.
    public func stream(
        progress: ProgressLine? = nil, _ body: (MappedRecord) -> Void
    ) throws(RowProblem) -> ExportResult {
        var result = ExportResult(dataset: catalog.dataset, file: catalog.path)
        var hashes: [(hash: Int, line: Int)] = []
        try mapRows(
            workers: Self.workers, progress: progress, chunk: { KeyChunk(rows: $0) },
            { chunk, outcome in
                switch outcome {
                case .failure(let problem): chunk.unreadable.append(problem)
                case .success(.excluded(_, let line, let key, let reason)): chunk.excluded.append((line, key, reason))
                case .success(.setAside(let setAside)): chunk.setAside.append(setAside)
                case .success(.record(let record)):
                    var key = record.key
                    chunk.hashes.append((key.withUTF8 { ByteKeyTable.hash($0) }, record.line))
                }
                chunk.rows += 1
            },
            consume: { chunk in
                result.rowsRead += chunk.rows
                result.unreadable += chunk.unreadable
                result.excluded += chunk.excluded
                result.setAside += chunk.setAside
                hashes += chunk.hashes
            })
        let duplicated = try duplicateLines(among: hashes, into: &result)
        result.droppedRecords = hashes.count - duplicated.count
        var rows = 0
        var handed = 0
        try mapRows(
            workers: Self.workers, progress: nil, chunk: { StreamChunk(rows: $0) },
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
        guard rows == result.rowsRead, handed == result.droppedRecords else { throw changed(result.rowsRead, rows) }
        return result
    }

    private static var workers: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The lines of keys used more than once, each such row added to `result` as set aside (as
    /// `collect` words it). Rows whose key hashes agree are read again for their keys.
    private func duplicateLines(among hashes: [(hash: Int, line: Int)], into result: inout ExportResult)
        throws(RowProblem) -> Set<Int>
    {
        let sorted = hashes.sorted { $0.hash < $1.hash }
        var suspects = Set<Int>()
        for k in sorted.indices.dropFirst() where sorted[k].hash == sorted[k - 1].hash {
            suspects.insert(sorted[k].line)
            suspects.insert(sorted[k - 1].line)
        }
        guard !suspects.isEmpty else { return [] }
        let suspectLines = suspects
        var keys: [(line: Int, key: String)] = []
        try mapRows(
            workers: Self.workers, progress: nil, chunk: { KeyChunk(rows: $0) },
            { chunk, outcome in
                if case .success(.record(let record)) = outcome, suspectLines.contains(record.line) {
                    chunk.keys.append((record.line, record.key))
                }
            },
            consume: { keys += $0.keys })
        guard keys.count == suspects.count else { throw changed(result.rowsRead, nil) }
        // Lines by key bytes, in file order.
        var linesByKey: [ByteKey: [Int]] = [:]
        for (line, key) in keys { linesByKey[ByteKey(key), default: []].append(line) }
        var duplicated = Set<Int>()
        for (key, lines) in linesByKey.sorted(by: { $0.value[0] < $1.value[0] }) where lines.count > 1 {
            for line in lines {
                duplicated.insert(line)
                result.setAside.append(
                    SetAside(
                        file: catalog.path, line: line, key: key.text,
                        reasons: [
                            Reason(
                                field: nil, rule: "E_DUPLICATE_KEY", value: key.text,
                                expected: Self.duplicateText(line, among: lines))
                        ]))
            }
        }
        result.setAside.sort { $0.line < $1.line }
        return duplicated
    }

    private func changed(_ before: Int, _ after: Int?) -> RowProblem {
        RowProblem(
            file: catalog.path, line: 0,
            reason: "the export changed while it was read (\(before) rows\(after.map { ", then \($0)" } ?? "")): "
                + "run again once it is written whole")
    }
}

/// One chunk of the first passes of `stream`: what is not a record, and the records' keys or hashes.
struct KeyChunk: Sendable {
    var rows = 0
    var unreadable: [RowProblem] = []
    var excluded: [(line: Int, key: String?, reason: String)] = []
    var setAside: [SetAside] = []
    var hashes: [(hash: Int, line: Int)] = []
    var keys: [(line: Int, key: String)] = []

    init(rows count: Int) { hashes.reserveCapacity(count) }
}

/// One chunk of the last pass of `stream`: its valid records, and how many rows it held.
struct StreamChunk: Sendable {
    var rows = 0
    var records: [MappedRecord] = []

    init(rows count: Int) { records.reserveCapacity(count) }
}
