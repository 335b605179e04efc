import CredsyncCatalogs
import CredsyncCore
import Foundation

/// An export read through its mapping: every row's outcome, duplicates set aside naming both lines.
public struct ExportResult: Sendable {
    public var dataset: Dataset
    public var file: String
    public var rowsRead = 0
    /// Valid records by key, in file order.
    public var records: [MappedRecord] = []
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

    /// Every row's outcome in file order, read on this thread and mapped on `workers` others.
    public func outcomes(workers: Int = ProcessInfo.processInfo.activeProcessorCount, progress: ProgressLine? = nil) throws(RowProblem) -> [Result<MappingOutcome, RowProblem>] {
        var reader = try Catalogs.open(catalog, columns: mapper.definition.columns)
        let chunks = BoundedQueue<(Int, [CatalogItem])>(capacity: workers * 2)
        let slots = OutcomeSlots()
        let mapper = self.mapper
        let group = runOnThreads(workers) { _ in
            while let (index, items) = chunks.take() {
                let mapped = items.map { item -> Result<MappingOutcome, RowProblem> in
                    switch item {
                    case .problem(let problem): return .failure(problem)
                    case .row(let row): return .success(mapper.map(row))
                    }
                }
                slots.set(index, mapped)
            }
        }
        var chunk: [CatalogItem] = []
        var index = 0
        while let item = reader.next() {
            chunk.append(item)
            if chunk.count == 1024 {
                progress?.add(chunk.count)
                chunks.put((index, chunk))
                index += 1
                chunk = []
            }
        }
        if !chunk.isEmpty { chunks.put((index, chunk)) }
        chunks.close()
        group.wait()
        progress?.finish()
        return slots.ordered()
    }

    /// The whole export, duplicates resolved: two rows with one key are both set aside.
    public func collect(progress: ProgressLine? = nil) throws(RowProblem) -> ExportResult {
        var result = ExportResult(dataset: catalog.dataset, file: catalog.path)
        // Keys compared by their bytes: hashing a million Chinese keys as `String` normalises each.
        var firstLine: [ByteKey: Int] = [:]
        var duplicated: [ByteKey: [Int]] = [:]
        let all = try outcomes(progress: progress)
        result.rowsRead = all.count
        firstLine.reserveCapacity(all.count)
        result.records.reserveCapacity(all.count)
        for outcome in all {
            switch outcome {
            case .failure(let problem): result.unreadable.append(problem)
            case .success(.excluded(_, let line, let key, let reason)): result.excluded.append((line, key, reason))
            case .success(.setAside(let setAside)): result.setAside.append(setAside)
            case .success(.record(let record)):
                let key = ByteKey(record.key)
                if let first = firstLine[key] {
                    duplicated[key, default: [first]].append(record.line)
                } else {
                    firstLine[key] = record.line
                }
                result.records.append(record)
            }
        }
        guard !duplicated.isEmpty else { return result }
        result.records.removeAll { duplicated[ByteKey($0.key)] != nil }
        for (byteKey, lines) in duplicated.sorted(by: { $0.value[0] < $1.value[0] }) {
            let key = byteKey.text
            for line in lines {
                let others = lines.filter { $0 != line }.map(String.init).joined(separator: ", ")
                result.setAside.append(SetAside(file: catalog.path, line: line, key: key, reasons: [
                    Reason(field: nil, rule: "E_DUPLICATE_KEY", value: key, expected: "the key is used on more than one row: also on line \(others)")
                ]))
            }
        }
        result.setAside.sort { $0.line < $1.line }
        return result
    }
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

/// Mapped chunks by their position, filled by the workers in any order.
final class OutcomeSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Int: [Result<MappingOutcome, RowProblem>]] = [:]

    func set(_ index: Int, _ outcomes: [Result<MappingOutcome, RowProblem>]) {
        lock.withLock { slots[index] = outcomes }
    }

    func ordered() -> [Result<MappingOutcome, RowProblem>] {
        lock.withLock { slots.keys.sorted().flatMap { slots[$0] ?? [] } }
    }
}
