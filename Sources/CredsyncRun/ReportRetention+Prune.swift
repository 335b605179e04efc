#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore
import CredsyncState

extension ReportRetention {
    /// Removes the run reports in `directory` that `retention` no longer keeps: a run's `.json`
    /// and `.html` go together, by the age of its `.json`. `latest.*` and the run `keeping` (or its
    /// dry run) stay. `keepRuns` counts real runs and dry runs (`<runId>.dry-run.*`) each on its own.
    /// Returns a message for every file that could not be removed (the run goes on).
    public static func prune(
        _ retention: ReportRetention, directory: String, keeping: String, now: Double = Timestamp.now()
    ) -> [String] {
        guard retention.maxAge != nil || retention.keepRuns != nil,
            let names = try? FileSystem.list(directory)
        else { return [] }
        let files = ReportPaths(directory: directory)
        // Runs by their report's modification time, newest first.
        var runs: [(id: String, modified: Double)] = []
        for name in names where name.hasSuffix(".json") && name != ReportPaths.latestName + ".json" {
            var info = stat()
            guard stat(files.file(name), &info) == 0 else { continue }
            runs.append((String(name.dropLast(5)), Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9))
        }
        // The run being written counts as the newest, whatever the clock: runs a second apart or
        // less would otherwise keep it and the two before it.
        func isKept(_ id: String) -> Bool { id == keeping || id == keeping + dryRunSuffix }
        runs.sort { a, b in
            isKept(a.id) != isKept(b.id) ? isKept(a.id) : (a.modified, a.id) > (b.modified, b.id)
        }
        var problems: [String] = []
        // Dry runs' reports are counted apart: a few dry runs never push out real runs' reports.
        var counted: [Bool: Int] = [:]
        for run in runs {
            let isDryRun = run.id.hasSuffix(dryRunSuffix)
            let index = counted[isDryRun, default: 0]
            counted[isDryRun] = index + 1
            guard run.id != keeping, run.id != keeping + dryRunSuffix else { continue }
            let tooOld = retention.maxAge.map { now - run.modified > $0 } ?? false
            let tooMany = retention.keepRuns.map { index >= $0 } ?? false
            guard tooOld || tooMany else { continue }
            for suffix in [".json", ".html"] {
                let path = files.file(run.id + suffix)
                if unlink(path) != 0 && errno != ENOENT {
                    problems.append("\(path): cannot remove an old report: \(String(cString: strerror(errno)))")
                }
            }
        }
        return problems
    }

    static let dryRunSuffix = ".dry-run"
}
