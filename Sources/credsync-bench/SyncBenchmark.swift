import CredsyncBenchData
import CredsyncCore
import Foundation

/// `credsync-bench sync`: the whole nightly sync of a realistic license export through the real
/// `credsync` binary against the real sandbox on loopback, cold (empty state) then warm (nothing
/// changed), each with its wall time, CPU time and peak memory, against the push bound plus a cold
/// plan, and the warm sync against `credsync map` of the same export, all in one run.
struct SyncBenchmark {
    let options: BenchOptions

    /// One run of a binary: what it used, and the sandbox's CPU seconds meanwhile.
    struct Run {
        var name: String
        var usage: ChildProcess.Usage
        var sandboxCPU: Double
    }

    func run() -> Int32 {
        let settings: SyncBenchSettings
        let workspace: SyncBenchWorkspace
        do {
            settings = try SyncBenchSettings(options)
            workspace = try SyncBenchWorkspace()
        } catch let error as CredsyncError {
            FileOutput.writeAll(2, "error: \(error.message)\n" + (error.hint.map { "hint: \($0)\n" } ?? ""))
            return error.exitCode.rawValue
        } catch {
            FileOutput.writeAll(2, "error: \(error)\n")
            return 70
        }
        defer {
            if settings.keepsDirectory {
                FileOutput.writeAll(2, "sync: kept \(workspace.directory)\n")
            } else {
                workspace.remove()
            }
        }
        do {
            let figures = try measure(settings, workspace)
            if settings.printsJSON {
                print(JSONWriter.pretty(figures.json(settings)))
            } else {
                figures.printText(settings)
            }
            return figures.targets(settings).allSatisfy(\.isMet) ? 0 : 1
        } catch let error as CredsyncError {
            FileOutput.writeAll(2, "error: \(error.message)\n" + (error.hint.map { "hint: \($0)\n" } ?? ""))
            return error.exitCode.rawValue
        } catch {
            FileOutput.writeAll(2, "error: \(error)\nhint: --keep leaves the runs' output in the temporary directory\n")
            return 70
        }
    }

    private func measure(_ settings: SyncBenchSettings, _ workspace: SyncBenchWorkspace) throws -> SyncBenchFigures {
        var figures = SyncBenchFigures()
        let started = Timestamp.monotonic()
        var generator = LicenseExportGenerator(seed: settings.seed)
        figures.exportBytes = try LicenseExportWriter.write(
            rows: settings.rows, to: workspace.export, generator: &generator)
        figures.generateSeconds = Timestamp.monotonic() - started
        progress(settings, String(format: "%d rows generated in %.1f s", settings.rows, figures.generateSeconds))

        let (sandbox, port) = try workspace.startSandbox(settings)
        var isStopped = false
        defer { if !isStopped { _ = sandbox.kill() } }
        try workspace.writeConfig(settings, port: port)

        func timed(_ name: String, _ arguments: [String], output: String? = nil) throws -> Run {
            let before = sandbox.cpuSecondsSoFar()
            let usage = try workspace.credsync(name, arguments, output: output)
            let run = Run(name: name, usage: usage, sandboxCPU: sandbox.cpuSecondsSoFar() - before)
            progress(
                settings,
                String(format: "%@ exit %d, %.1f s, %.0f MB", name, usage.status, usage.wallSeconds, usage.peakMB))
            guard usage.status == 0 || usage.status == 1 else {
                throw CredsyncError(
                    .software, "credsync \(arguments.joined(separator: " ")) exited \(usage.status)",
                    hint: "see \(workspace.directory)/\(name).err (keep it with --keep)")
            }
            return run
        }
        let first = settings.platforms.first ?? .credit
        figures.map = try timed(
            "map", ["map", "--dataset", "license", "--platform", first.rawValue], output: "/dev/null")
        figures.mapPlatform = first
        figures.coldPlan = try timed("cold-plan", ["plan", "--state-dir", workspace.directory + "/plan-state"])
        figures.coldSync = try timed("cold-sync", ["sync", "--json"])
        figures.coldReport = try report(workspace.directory + "/cold-sync.out")
        figures.warmSync = try timed("warm-sync", ["sync", "--json"])
        figures.warmReport = try report(workspace.directory + "/warm-sync.out")
        figures.sandbox = sandbox.kill()
        isStopped = true
        return figures
    }

    private func report(_ path: String) throws -> JSONValue {
        try JSONParser.parse(try FileSystem.readText(path))
    }

    /// A line on stderr as each step ends, so a long run shows where it is.
    private func progress(_ settings: SyncBenchSettings, _ line: String) {
        FileOutput.writeAll(2, "sync: \(line)\n")
    }
}
