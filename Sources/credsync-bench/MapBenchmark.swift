import CredsyncCatalogs
import CredsyncCore
import CredsyncMapping
import Foundation
import CredsyncFormats
import _CredsyncEngine

/// Read + map + validate + canonicalise + hash (both platforms' date forms) a generated GB18030
/// license export on both cores, against `sha256sum` over the same file as the floor, the two taken
/// in turns (`--runs`, 3). With `--profile`, each stage is then run on its own over the same file
/// (`StageProfile`): the hot path is not instrumented, so timing it does not slow it.
struct MapBenchmark {
    let options: BenchOptions

    func run() -> Int32 {
        let rows = options.int("rows", 1_000_000)
        guard let export = BenchExport(options) else { return BenchExport.refuse(options) }
        guard let stage = MapPipeline.Stage(rawValue: options.string("stage") ?? "hash") else {
            FileOutput.writeAll(
                2,
                "error: unknown stage '\(options.string("stage") ?? "")'\n"
                    + "hint: use --stage read, decode, map, validate or hash\n"
            )
            return 64
        }
        let directory = NSTemporaryDirectory() + "credsync-bench-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/licenses.csv"
        let size: Int
        do { size = try export.write(rows: rows, to: file, options: options) } catch {
            FileOutput.writeAll(2, "error: \(error)\n")
            return 74
        }
        print(String(format: "map: %d rows, %.1f MB of GB18030: %@", rows, Double(size) / 1e6, export.label(options)))

        let mappingFile = options.string("mapping") ?? FileSystem.currentDirectory() + "/mappings/license.json"
        let definition: MappingDefinition
        do { definition = try MappingLoader.load(mappingFile) } catch {
            FileOutput.writeAll(
                2, "error: \(error.message)\nhint: run from the package's directory or give --mapping FILE\n")
            return 78
        }
        let catalog = CatalogConfig(
            dataset: .license, path: file, format: .csv, encoding: .gb18030, mapping: mappingFile)
        let mapper = Mapper(definition: definition, organisation: BenchDefaults.organisation, today: BenchDefaults.asOf)
        let workers = options.int("workers", ProcessInfo.processInfo.activeProcessorCount)

        // The floor and the map taken in turns, the fastest of each compared: this machine's
        // speed wanders by half within a minute, and turns expose both to the same spells.
        var floors: [Double] = []
        var maps: [(elapsed: Double, cpu: Double)] = []
        var counts = MapPipeline.Counts()
        for _ in 0..<max(1, options.int("runs", 3)) {
            floors.append(Self.sha256sum(file))
            do {
                let (elapsed, cpu, result) = try StageProfile.time {
                    try MapPipeline.run(catalog: catalog, mapper: mapper, workers: workers, stage: stage)
                }
                counts = result
                maps.append((elapsed, cpu))
            } catch {
                FileOutput.writeAll(2, "error: \(error)\n")
                return 65
            }
        }
        let floor = floors.min() ?? 0
        let fastest = maps.min { $0.elapsed < $1.elapsed } ?? (0, 0)
        let ratio = fastest.elapsed / max(floor, 1e-6)
        print(
            String(
                format:
                    "map: %d mapped, %d set aside, %d unreadable in %.2f s (fastest of %@ s): %.0f rows/s; "
                    + "%.2f s of CPU (%.1f µs a row)",
                counts.mapped, counts.setAside, counts.unreadable, fastest.elapsed,
                StageProfile.seconds(maps.map(\.elapsed)),
                Double(rows) / fastest.elapsed, fastest.cpu, fastest.cpu / Double(max(rows, 1)) * 1e6))
        print(
            String(
                format:
                    "map: sha256sum floor %.2f s (fastest of %@ s); ratio %.2f× the floor (target ≤ 3×); "
                    + "peak memory %.0f MB (target < 200 MB)",
                floor, StageProfile.seconds(floors), ratio, peakMemoryMB()))
        if options.string("profile") != nil {
            let profile = StageProfile(
                catalog: catalog, definition: definition, mapper: mapper, workers: workers, rows: rows,
                runs: max(1, options.int("runs", 3)), floor: floor)
            do { try profile.run() } catch {
                FileOutput.writeAll(2, "error: \(error)\n")
                return 65
            }
        }
        return ratio <= 3 && peakMemoryMB() < 200 ? 0 : 1
    }
}

extension MapBenchmark {
    /// Seconds `sha256sum` takes over `file`: reading and hashing the bytes once.
    static func sha256sum(_ file: String) -> Double {
        let started = Timestamp.monotonic()
        let sha = Process()
        sha.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sha.arguments = [file]
        sha.standardOutput = FileHandle.nullDevice
        try? sha.run()
        sha.waitUntilExit()
        return Timestamp.monotonic() - started
    }
}

/// The organisation and as-of date every benchmark maps with.
enum BenchDefaults {
    static let organisation = Organisation(name: "某省知识产权局", uscc: "11330000MB12345679")
    static let asOf = LocalDate(iso: "2026-11-20") ?? LocalDate.todayInShanghai()
}

/// Rows read on one thread, mapped and hashed on the others, in bounded chunks (constant memory).
enum MapPipeline {
    struct Counts {
        var rows = 0
        var mapped = 0
        var setAside = 0
        var unreadable = 0
        var hashes = 0
        /// The keys' hashes combined, so that taking them is not optimised away.
        var keyHashes = 0
    }

    /// Where a run stops: after splitting rows into fields (`read`), after decoding them, after
    /// mapping (which normalises and validates), after validating each record a second time (the
    /// validation's cost is the difference), or after hashing (`hash`, everything: the default).
    enum Stage: String, CaseIterable { case read, decode, map, validate, hash }

    /// The date forms of the platforms that take licenses: each record is hashed once for each.
    static let dateSeparators = Array(Set(PlatformID.allCases.map(\.defaultDateSeparator))).sorted()

    static func run(catalog: CatalogConfig, mapper: Mapper, workers: Int, stage: Stage = .hash) throws -> Counts {
        var reader = try Catalogs.open(catalog, columns: mapper.definition.columns)
        let chunks = BoundedQueue<CatalogBatch>(capacity: workers * 2)
        let totals = Totals()
        let group = DispatchGroup()
        let copies = ThreadCopies(threads: max(1, workers))
        let shared = mapper
        for _ in 0..<max(1, workers) {
            group.enter()
            Thread.detachNewThread {
                // As the export mapping does: each thread maps with rules of its own.
                let mapper: Mapper
                do throws(MapperCopyError) {
                    mapper = try shared.copy()
                } catch {
                    copies.made(error)
                    group.leave()
                    return
                }
                copies.made(nil)
                let format = mapper.definition.format
                let validator = Validator(format: format)
                var counts = Counts()
                while let batch = chunks.take() {
                    counts.rows += batch.count
                    if stage == .read { continue }
                    for item in batch.items() {
                        guard case .row(let row) = item else {
                            counts.unreadable += 1
                            continue
                        }
                        if stage == .decode { continue }
                        switch mapper.map(row) {
                        case .record(let record):
                            counts.mapped += 1
                            if stage == .map { continue }
                            if stage == .validate {
                                counts.hashes +=
                                    validator.reasons(record.values, dateSeparator: "-", today: mapper.today).count
                                continue
                            }
                            // As the plan does: the digests held inline, compared without a hex string,
                            // and the key's hash taken on its bytes (as `MappedChunk` does for the key table).
                            counts.hashes += record.payloadDigests(format: format, dateSeparators: dateSeparators).count
                            var key = record.key
                            counts.keyHashes ^= key.withUTF8 { ByteKeyTable.hash($0) }
                        case .setAside: counts.setAside += 1
                        case .excluded: break
                        }
                    }
                }
                totals.add(counts)
                group.leave()
            }
        }
        if let failure = copies.wait() {
            chunks.close()
            group.wait()
            throw failure
        }
        while let batch = reader.nextBatch(limit: 1024) { chunks.put(batch) }
        chunks.close()
        group.wait()
        return totals.counts
    }
}

final class Totals: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var counts = MapPipeline.Counts()

    func add(_ other: MapPipeline.Counts) {
        lock.withLock {
            counts.rows += other.rows
            counts.mapped += other.mapped
            counts.setAside += other.setAside
            counts.unreadable += other.unreadable
            counts.hashes += other.hashes
            counts.keyHashes ^= other.keyHashes
        }
    }
}
