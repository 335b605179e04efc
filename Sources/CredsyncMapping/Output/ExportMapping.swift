import CredsyncCatalogs
import CredsyncCore
import Foundation

/// An export read through its mapping: every row's outcome, duplicates set aside naming both lines.
public struct ExportResult: Sendable {
    public var dataset: Dataset
    public var file: String
    public var rowsRead = 0
    /// Valid records by key, in file order (empty when the reader did not keep them).
    public var records: [MappedRecord] = []
    /// Valid records counted but not kept (see `ExportMapping.collect(keepRecords:annotate:)`).
    public var droppedRecords = 0
    /// How many valid records the export holds, kept or not.
    public var recordCount: Int { records.count + droppedRecords }
    public var setAside: [SetAside] = []
    public var excluded: [(line: Int, key: String?, reason: String)] = []
    public var unreadable: [RowProblem] = []

    /// Keys that were set aside (data errors or duplicates): a published record with such a key is
    /// neither changed nor withdrawn.
    public var setAsideKeys: Set<String> { Set(setAside.compactMap(\.key)) }
}

/// Reads an export through its mapping.
public struct ExportMapping: Sendable {
    public let catalog: CatalogConfig
    public let mapper: Mapper

    public init(catalog: CatalogConfig, definition: MappingDefinition, organisation: Organisation, today: LocalDate) {
        self.catalog = catalog
        self.mapper = Mapper(definition: definition, organisation: organisation, today: today)
    }

    /// `transform` applied to every row's outcome on the mapping threads; `consume` gets the
    /// results on this thread in file order, as soon as each chunk is ready, while the rest is
    /// still being mapped.
    func mapRows<T: Sendable>(
        workers: Int, progress: ProgressLine?, _ transform: @escaping @Sendable (Result<MappingOutcome, RowProblem>) -> T,
        consume: (T) -> Void
    ) throws(RowProblem) {
        var reader = try Catalogs.open(catalog, columns: mapper.definition.columns)
        let chunks = BoundedQueue<(Int, CatalogBatch)>(capacity: workers * 2)
        let slots = OutcomeSlots<T>()
        let mapper = self.mapper
        let group = runOnThreads(workers) { _ in
            let mapper = mapper.copy()
            while let (index, batch) = chunks.take() {
                let mapped = batch.items().map { item -> T in
                    switch item {
                    case .problem(let problem): return transform(.failure(problem))
                    case .row(let row): return transform(.success(mapper.map(row)))
                    }
                }
                slots.set(index, mapped)
            }
        }
        var sent = 0
        var consumed = 0
        while let batch = reader.nextBatch(limit: 1024) {
            progress?.add(batch.count)
            chunks.put((sent, batch))
            sent += 1
            while let ready = slots.take(consumed, wait: false) {
                ready.forEach(consume)
                consumed += 1
            }
        }
        chunks.close()
        while consumed < sent, let ready = slots.take(consumed, wait: true) {
            ready.forEach(consume)
            consumed += 1
        }
        group.wait()
        progress?.finish()
    }

    /// The whole export, duplicates resolved: two rows with one key are both set aside.
    public func collect(progress: ProgressLine? = nil) throws(RowProblem) -> ExportResult {
        try collect(progress: progress, keepRecords: true) { _ in () }.export
    }

    /// The whole export, with `annotate` run on the mapping threads for every valid record while
    /// it is fresh: `notes` line up with the valid records, duplicates left out. Without
    /// `keepRecords`, the records are dropped once annotated (`records` stays empty; `recordCount`
    /// counts them), so a million-row export is never held in memory.
    public func collect<Note: Sendable>(
        progress: ProgressLine? = nil, keepRecords: Bool, annotate: @escaping @Sendable (MappedRecord) -> Note
    ) throws(RowProblem) -> (export: ExportResult, notes: [Note]) {
        var result = ExportResult(dataset: catalog.dataset, file: catalog.path)
        var firstLine: [HashedKey: Int] = [:]
        var duplicated: [HashedKey: [Int]] = [:]
        var notes: [Note] = []
        var lines: [Int] = []
        // Each row's entry is taken in file order while later rows are still being mapped.
        try mapRows(workers: ProcessInfo.processInfo.activeProcessorCount, progress: progress, { outcome -> RowEntry<Note> in
            switch outcome {
            case .failure(let problem): return .unreadable(problem)
            case .success(.excluded(_, let line, let key, let reason)): return .excluded(line, key, reason)
            case .success(.setAside(let setAside)): return .setAside(setAside)
            case .success(.record(let record)):
                return .record(line: record.line, key: HashedKey(record.key), note: annotate(record), kept: keepRecords ? KeptRecord(record) : nil)
            }
        }, consume: { entry in
            result.rowsRead += 1
            switch entry {
            case .unreadable(let problem): result.unreadable.append(problem)
            case .excluded(let line, let key, let reason): result.excluded.append((line, key, reason))
            case .setAside(let setAside): result.setAside.append(setAside)
            case .record(let line, let key, let note, let kept):
                if let first = firstLine.updateValue(line, forKey: key) {
                    firstLine[key] = first
                    duplicated[key, default: [first]].append(line)
                }
                notes.append(note)
                lines.append(line)
                if let kept { result.records.append(kept.record) }
            }
        })
        result.droppedRecords = keepRecords ? 0 : lines.count
        guard !duplicated.isEmpty else { return (result, notes) }
        let duplicateLines = Set(duplicated.values.joined())
        let kept = lines.indices.filter { !duplicateLines.contains(lines[$0]) }
        notes = kept.map { notes[$0] }
        result.records.removeAll { duplicateLines.contains($0.line) }
        result.droppedRecords = keepRecords ? 0 : kept.count
        for (hashedKey, lines) in duplicated.sorted(by: { $0.value[0] < $1.value[0] }) {
            let key = hashedKey.key.text
            for line in lines {
                let others = lines.filter { $0 != line }.map(String.init).joined(separator: ", ")
                result.setAside.append(SetAside(file: catalog.path, line: line, key: key, reasons: [
                    Reason(field: nil, rule: "E_DUPLICATE_KEY", value: key, expected: "the key is used on more than one row: also on line \(others)")
                ]))
            }
        }
        result.setAside.sort { $0.line < $1.line }
        return (result, notes)
    }
}

/// One row as the mapping threads hand it to `collect`: small, so chunks of them are cheap to pass.
enum RowEntry<Note: Sendable>: Sendable {
    indirect case unreadable(RowProblem)
    indirect case excluded(Int, String?, String)
    indirect case setAside(SetAside)
    case record(line: Int, key: HashedKey, note: Note, kept: KeptRecord?)
}

/// A record kept whole, boxed.
final class KeptRecord: Sendable {
    let record: MappedRecord
    init(_ record: MappedRecord) { self.record = record }
}

/// A key compared by its bytes (hashing a million Chinese keys as `String` normalises each),
/// its hash worked out on the mapping threads.
struct HashedKey: Hashable, Sendable {
    let key: ByteKey
    let hash: Int

    init(_ text: String) {
        key = ByteKey(text)
        hash = key.hashValue
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    static func == (a: HashedKey, b: HashedKey) -> Bool { a.hash == b.hash && a.key == b.key }
}

/// The quarantine file: every set-aside or unreadable row, one JSON object a line.
public enum Quarantine {
    /// Writes `<directory>/<dataset>.jsonl` atomically and returns its path.
    public static func write(_ result: ExportResult, platforms: [PlatformID], directory: String) throws(FileError) -> String {
        try FileSystem.createDirectory(directory)
        let path = directory + "/\(result.dataset.rawValue).jsonl"
        var lines = ""
        for problem in result.unreadable {
            let line: JSONValue = [
                "file": .string(problem.file), "line": .number(String(problem.line)), "key": .null, "platform": .null,
                "reasons": [["field": .null, "rule": "E_UNREADABLE", "expected": .string(problem.reason)]],
            ]
            lines += JSONWriter.compact(line) + "\n"
        }
        for item in result.setAside {
            for platform in platforms {
                let line: JSONValue = [
                    "file": .string(item.file), "line": .number(String(item.line)), "key": item.key.map { .string($0) } ?? .null,
                    "platform": .string(platform.rawValue), "reasons": .array(item.reasons.map { $0.json() }),
                ]
                lines += JSONWriter.compact(line) + "\n"
            }
        }
        try FileSystem.writeAtomically(path, text: lines)
        return path
    }
}

/// Mapped chunks by their position, filled by the workers in any order, taken in order.
final class OutcomeSlots<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var slots: [Int: [T]] = [:]

    func set(_ index: Int, _ outcomes: [T]) {
        condition.withLock {
            slots[index] = outcomes
            condition.broadcast()
        }
    }

    /// Chunk `index`, removed; nil when it is not ready and `wait` is false.
    func take(_ index: Int, wait: Bool) -> [T]? {
        condition.withLock {
            while wait && slots[index] == nil { condition.wait() }
            return slots.removeValue(forKey: index)
        }
    }
}
