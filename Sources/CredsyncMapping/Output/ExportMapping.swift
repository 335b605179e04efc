public import CredsyncCatalogs
public import CredsyncCore
import Foundation
public import CredsyncFormats
import _CredsyncEngine

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
    /// The records the export holds whatever the as-of date: the valid ones, and the rows set aside
    /// only because a date lies after it (valid on a later day). The shrink guardrail counts these,
    /// so that re-running a past day is not taken for a truncated export.
    public var recordCountAnyDate: Int {
        recordCount + setAside.filter { !$0.reasons.isEmpty && $0.reasons.allSatisfy(\.isDatedAfterAsOf) }.count
    }
    public var excluded: [(line: Int, key: String?, reason: String)] = []
    public var unreadable: [RowProblem] = []

    /// Keys that were set aside (data errors or duplicates): a published record with such a key is
    /// neither changed nor withdrawn.
    public var setAsideKeys: Set<String> { Set(setAside.compactMap(\.key)) }

    /// Whether every row was read and every row set aside has its key: only then is a published
    /// key the export lacks known to be gone (and withdrawn as `corrected`).
    public var isReadWhole: Bool { unreadable.isEmpty && setAside.allSatisfy { $0.key != nil } }

    /// Why the export is not read whole, naming the first rows; nil when it is.
    public var notWholeReason: String? {
        let keyless = setAside.filter { $0.key == nil }
        guard !unreadable.isEmpty || !keyless.isEmpty else { return nil }
        let lines = (unreadable.map(\.line) + keyless.map(\.line)).sorted()
        let shown = lines.prefix(5).map(String.init).joined(separator: ", ") + (lines.count > 5 ? ", …" : "")
        let count = lines.count == 1 ? "1 row" : "\(lines.count) rows"
        return "\(count) of \(FileSystem.baseName(file)) could not be read or have no key (line \(shown))"
    }

    /// The text of each row that could not be read, as far as it could be (and again as a code
    /// field has it, when that differs): a published key found in one may be that row's, and is
    /// kept even when withdrawals are approved.
    public var unreadableTexts: [String] {
        var texts: [String] = []
        for problem in unreadable where !problem.fragments.isEmpty {
            let text = problem.fragments.joined(separator: "\n")
            texts.append(text)
            let code = Normalizer.code(text)
            if code != text { texts.append(code) }
        }
        return texts
    }
}

/// Reads an export through its mapping.
public struct ExportMapping: Sendable {
    public let catalog: CatalogConfig
    public let mapper: Mapper

    public init(catalog: CatalogConfig, definition: MappingDefinition, organisation: Organisation, today: LocalDate) {
        self.catalog = catalog
        self.mapper = Mapper(definition: definition, organisation: organisation, today: today)
    }

    /// Every row's outcome given to `add` on the mapping threads, into a chunk of rows that
    /// `makeChunk` starts (with the number of rows it will hold); `consume` gets the chunks on this
    /// thread in file order, as soon as each is ready, while the rest is still being mapped. A
    /// thread that cannot make its copy of the mapper throws, naming the mapping file (line 0).
    func mapRows<Chunk: Sendable>(
        workers: Int, progress: ProgressLine?, chunk makeChunk: @escaping @Sendable (Int) -> Chunk,
        _ add: @escaping @Sendable (inout Chunk, Result<MappingOutcome, RowProblem>) -> Void, consume: (Chunk) -> Void
    ) throws(RowProblem) {
        var reader = try Catalogs.open(catalog, columns: mapper.definition.columns)
        let chunks = BoundedQueue<(Int, CatalogBatch)>(capacity: workers * 2)
        let slots = OrderedSlots<Chunk>()
        let shared = self.mapper
        let copies = ThreadCopies(threads: workers)
        let pool = WorkerPool(threads: workers) { _ in
            let mapper: Mapper
            do throws(MapperCopyError) {
                mapper = try shared.copy()
            } catch {
                copies.made(error)
                return
            }
            copies.made(nil)
            while let (index, batch) = chunks.take() {
                var chunk = makeChunk(batch.count)
                for item in batch.items() {
                    switch item {
                    case .problem(let problem): add(&chunk, .failure(problem))
                    case .row(let row):
                        add(&chunk, .success(row.damage.isEmpty ? mapper.map(row) : mapper.mapDamaged(row)))
                    }
                }
                slots.set(index, chunk)
            }
        }
        // A thread without rules of its own stops the read: it never maps with the shared ones.
        if let failure = copies.wait() {
            chunks.close()
            pool.wait()
            throw RowProblem(file: shared.definition.file, line: 0, reason: failure.description)
        }
        var sent = 0
        var consumed = 0
        while let batch = reader.nextBatch(limit: 1024) {
            progress?.add(batch.count)
            chunks.put((sent, batch))
            sent += 1
            while let ready = slots.take(consumed, wait: false) {
                consume(ready)
                consumed += 1
            }
        }
        chunks.close()
        while consumed < sent, let ready = slots.take(consumed, wait: true) {
            consume(ready)
            consumed += 1
        }
        pool.wait()
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
        var notes: [Note] = []
        var lines: [Int] = []
        var records: [MappedRecord] = []
        var (result, duplicates) = try fold(
            progress: progress, annotate: { record in (annotate(record), keepRecords ? record : nil) }
        ) { item, line in
            notes.append(item.0)
            lines.append(line)
            if let record = item.1 { records.append(record) }
        }
        // `fold` handed each duplicated key's first row before the file showed it repeated.
        if !duplicates.isEmpty {
            notes = lines.indices.filter { !duplicates.contains(lines[$0]) }.map { notes[$0] }
            records.removeAll { duplicates.contains($0.line) }
        }
        result.records = records
        if keepRecords { result.droppedRecords = 0 }
        return (result, notes)
    }
}

extension ExportMapping {
    /// How many of a duplicated key's other lines a reason names; the rest are counted.
    static let duplicateLinesNamed = 3

    /// "the key is used on more than one row: also on line 7, 9, 12 and 297 more": a reason's length
    /// stays bounded however often a key repeats.
    static func duplicateText(_ line: Int, among lines: [Int]) -> String {
        var named: [Int] = []
        for other in lines where other != line {
            named.append(other)
            if named.count == duplicateLinesNamed { break }
        }
        let rest = lines.count - 1 - named.count
        var text = "the key is used on more than one row: also on line "
        text += named.map(String.init).joined(separator: ", ")
        if rest > 0 { text += " and \(rest) more" }
        return text
    }
}

/// The quarantine file: every set-aside or unreadable row, one JSON object a line.
public enum Quarantine {
    /// Writes `<directory>/<dataset>.jsonl` atomically and returns its path.
    public static func write(_ result: ExportResult, platforms: [PlatformID], directory: String) throws(FileError)
        -> String
    {
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
                    "file": .string(item.file), "line": .number(String(item.line)),
                    "key": item.key.map { .string($0) } ?? .null,
                    "platform": .string(platform.rawValue), "reasons": .array(item.reasons.map { $0.json() }),
                ]
                lines += JSONWriter.compact(line) + "\n"
            }
        }
        // Row texts and reasons may quote a 身份证号 anywhere: the file holds none in clear.
        try FileSystem.writeAtomically(path, text: PersonalData.mask(lines))
        return path
    }
}
