#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore
import Foundation

/// A real binary run as a child of the benchmark, spawned and reaped by hand (`posix_spawn` and
/// `wait4`) so that its own resource use is known: wall time, CPU time and peak resident memory.
struct ChildProcess {
    /// What one finished child used.
    struct Usage {
        var status: Int32
        var wallSeconds: Double
        var userSeconds: Double
        var systemSeconds: Double
        /// ru_maxrss: the child's peak resident memory, in MB.
        var peakMB: Double
        var cpuSeconds: Double { userSeconds + systemSeconds }
    }

    let pid: pid_t
    let started: Double

    /// Starts `path` with `arguments`, the benchmark's environment plus `environment`, stdout and
    /// stderr written to the files given (created or truncated), stdin from /dev/null.
    init(_ path: String, _ arguments: [String], environment: [String: String], stdout: String, stderr: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "CREDSYNC_CONFIG")
        for (key, value) in environment { merged[key] = value }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        started = Timestamp.monotonic()
        let result = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard result == 0 else {
            throw CredsyncError(
                .software, "\(path) could not be started: \(String(cString: strerror(result)))",
                hint: "build it: swift build -c release --product \(FileSystem.baseName(path))")
        }
        self.pid = pid
    }

    /// Waits for the child to end and returns what it used.
    func wait() -> Usage {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        let wall = Timestamp.monotonic() - started
        // The exit code when it exited, 128 + the signal when one killed it.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Usage(
            status: code, wallSeconds: wall, userSeconds: Self.seconds(usage.ru_utime),
            systemSeconds: Self.seconds(usage.ru_stime), peakMB: Double(usage.ru_maxrss) / 1024)
    }

    /// Kills the child (SIGKILL) and reaps it.
    func kill() -> Usage {
        Glibc.kill(pid, SIGKILL)
        return wait()
    }

    /// CPU seconds the running child has used so far (user and system, from /proc/<pid>/stat).
    func cpuSecondsSoFar() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = text.lastIndex(of: ")")
        else { return 0 }
        // After the command's name in parentheses: state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1e6
    }
}
