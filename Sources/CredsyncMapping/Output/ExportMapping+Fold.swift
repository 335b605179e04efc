public import CredsyncCatalogs
public import CredsyncCore
import Foundation
public import CredsyncFormats
import _CredsyncEngine

extension ExportMapping {
    /// The export read once, `annotate` run on the mapping threads for every valid record while it
    /// is fresh, and each note handed to `fold` on this thread in file order, then dropped: neither
    /// records nor notes are held. A key's first row is folded when it is read; rows that repeat it
    /// are not. Only the whole file shows duplicates, so the first rows of keys used twice were
    /// folded already: `duplicateLines` names every row of such keys (all set aside in the result),
    /// for the caller to take back what it folded of them.
    public func fold<Note: Sendable>(
        progress: ProgressLine? = nil, annotate: @escaping @Sendable (MappedRecord) -> Note,
        _ fold: (Note, _ line: Int) -> Void
    ) throws(RowProblem) -> (export: ExportResult, duplicateLines: Set<Int>) {
        var result = ExportResult(dataset: catalog.dataset, file: catalog.path)
        var keys = ByteKeyTable()
        var firstLines: [Int] = []
        var duplicated: [Int: [Int]] = [:]
        var records = 0
        try mapRows(
            workers: ProcessInfo.processInfo.activeProcessorCount, progress: progress,
            chunk: { MappedChunk<Note>(rows: $0) },
            { chunk, outcome in
                switch outcome {
                case .failure(let problem): chunk.rows.append(.unreadable(problem))
                case .success(.excluded(_, let line, let key, let reason)):
                    chunk.rows.append(.excluded(line, key, reason))
                case .success(.setAside(let setAside)): chunk.rows.append(.setAside(setAside))
                case .success(.record(let record)): chunk.add(record, note: annotate(record))
                }
            },
            consume: { chunk in
                result.rowsRead += chunk.rows.count
                var note = 0
                chunk.keyBytes.withUnsafeBufferPointer { bytes in
                    for row in chunk.rows {
                        switch row {
                        case .unreadable(let problem): result.unreadable.append(problem)
                        case .excluded(let line, let key, let reason): result.excluded.append((line, key, reason))
                        case .setAside(let setAside): result.setAside.append(setAside)
                        case .record(let line, let key):
                            let range = UnsafeBufferPointer(rebasing: bytes[key.start..<(key.start + key.count)])
                            let (number, isNew) = keys.insert(range, hash: key.hash)
                            if isNew {
                                firstLines.append(line)
                                records += 1
                                fold(chunk.notes[note], line)
                            } else {
                                duplicated[number, default: [firstLines[number]]].append(line)
                            }
                            note += 1
                        }
                    }
                }
            })
        // A key used twice: none of its rows is a record.
        records -= duplicated.count
        result.droppedRecords = records
        guard !duplicated.isEmpty else { return (result, []) }
        setAsideDuplicates(duplicated, keys: keys, into: &result)
        return (result, Set(duplicated.values.joined()))
    }

    /// Sets aside every row of each duplicated key, naming the other lines, in line order.
    func setAsideDuplicates(_ duplicated: [Int: [Int]], keys: ByteKeyTable, into result: inout ExportResult) {
        for (number, lines) in duplicated.sorted(by: { $0.value[0] < $1.value[0] }) {
            let key = keys.key(number)
            for line in lines {
                result.setAside.append(
                    SetAside(
                        file: catalog.path, line: line, key: key,
                        reasons: [
                            Reason(
                                field: nil, rule: "E_DUPLICATE_KEY", value: key,
                                expected: Self.duplicateText(line, among: lines))
                        ]))
            }
        }
        result.setAside.sort { $0.line < $1.line }
    }
}
