import CredsyncCatalogs
import CredsyncCore
import CredsyncMapping
import Foundation

/// Read + map + validate + canonicalise + hash a generated GB18030 license export on both cores,
/// against `sha256sum` over the same file as the floor, the two taken in turns (`--runs`, 3).
struct MapBenchmark {
    let options: BenchOptions

    func run() -> Int32 {
        let rows = options.int("rows", 1_000_000)
        let directory = NSTemporaryDirectory() + "credsync-bench-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/licenses.csv"
        let size = LicenseExportGenerator.write(rows: rows, to: file)
        print(String(format: "map: %d rows, %.1f MB of GB18030", rows, Double(size) / 1e6))

        let mappingFile = options.string("mapping") ?? FileSystem.currentDirectory() + "/mappings/license.json"
        let definition: MappingDefinition
        do { definition = try MappingLoader.load(mappingFile) } catch {
            FileOutput.writeAll(2, "error: \(error.message)\nhint: run from the package's directory or give --mapping FILE\n")
            return 78
        }
        let catalog = CatalogConfig(dataset: .license, path: file, format: .csv, encoding: .gb18030, mapping: mappingFile)
        let mapper = Mapper(definition: definition, organisation: Organisation(name: "某省知识产权局", uscc: "11330000MB12345679"),
            today: LocalDate(iso: "2026-11-20") ?? LocalDate.todayInShanghai())
        let stage = options.string("stage").flatMap(MapPipeline.Stage.init) ?? .all
        let workers = options.int("workers", ProcessInfo.processInfo.activeProcessorCount)

        // The floor and the map taken in turns, the fastest of each compared: this machine's
        // speed wanders by half within a minute, and turns expose both to the same spells.
        var floors: [Double] = []
        var maps: [(elapsed: Double, cpu: Double)] = []
        var counts = MapPipeline.Counts()
        for _ in 0..<max(1, options.int("runs", 3)) {
            floors.append(Self.sha256sum(file))
            let started = Timestamp.monotonic()
            let cpuStarted = cpuSeconds()
            do { counts = try MapPipeline.run(catalog: catalog, mapper: mapper, workers: workers, stage: stage) } catch {
                FileOutput.writeAll(2, "error: \(error)\n")
                return 65
            }
            maps.append((Timestamp.monotonic() - started, cpuSeconds() - cpuStarted))
        }
        let floor = floors.min() ?? 0
        let fastest = maps.min { $0.elapsed < $1.elapsed } ?? (0, 0)
        let ratio = fastest.elapsed / max(floor, 1e-6)
        func seconds(_ values: [Double]) -> String { values.map { String(format: "%.2f", $0) }.joined(separator: ", ") }
        print(String(format: "map: %d mapped, %d set aside, %d unreadable in %.2f s (fastest of %@ s): %.0f rows/s; %.2f s of CPU (%.1f µs a row)",
            counts.mapped, counts.setAside, counts.unreadable, fastest.elapsed, seconds(maps.map(\.elapsed)), Double(rows) / fastest.elapsed,
            fastest.cpu, fastest.cpu / Double(max(rows, 1)) * 1e6))
        print(String(format: "map: sha256sum floor %.2f s (fastest of %@ s); ratio %.2f× the floor (target ≤ 4×); peak memory %.0f MB (target < 200 MB)",
            floor, seconds(floors), ratio, peakMemoryMB()))
        return ratio <= 4 && peakMemoryMB() < 200 ? 0 : 1
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

/// Rows read on one thread, mapped and hashed on the others, in bounded chunks (constant memory).
enum MapPipeline {
    struct Counts {
        var mapped = 0
        var setAside = 0
        var unreadable = 0
        var hashes = 0
    }

    /// Where a run stops: after reading and decoding, after mapping and validating, or after hashing.
    enum Stage: String { case read, map, all }

    static func run(catalog: CatalogConfig, mapper: Mapper, workers: Int, stage: Stage = .all) throws -> Counts {
        var reader = try Catalogs.open(catalog, columns: mapper.definition.columns)
        let chunks = BoundedQueue<CatalogBatch>(capacity: workers * 2)
        let totals = Totals()
        let group = DispatchGroup()
        for _ in 0..<max(1, workers) {
            group.enter()
            Thread.detachNewThread {
                // As the export mapping does: each thread maps with rules of its own.
                let mapper = mapper.copy()
                let format = mapper.definition.format
                var counts = Counts()
                var keys = Set<Int>()
                while let batch = chunks.take() {
                    for item in batch.items() {
                        guard case .row(let row) = item else {
                            counts.unreadable += 1
                            continue
                        }
                        if stage == .read { continue }
                        let outcome = mapper.map(row)
                        if stage == .map { continue }
                        switch outcome {
                        case .record(let record):
                            // As the plan does: the digest held inline, compared without a hex string.
                            _ = record.payloadDigest(format: format, dateSeparator: "/")
                            counts.hashes += 1
                            keys.insert(record.key.hashValue)
                            counts.mapped += 1
                        case .setAside: counts.setAside += 1
                        case .excluded: break
                        }
                    }
                }
                totals.add(counts)
                group.leave()
            }
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
            counts.mapped += other.mapped
            counts.setAside += other.setAside
            counts.unreadable += other.unreadable
        }
    }
}
