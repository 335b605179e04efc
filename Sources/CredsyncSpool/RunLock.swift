#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore
import CredsyncState

/// One run at a time per state directory: an exclusive `flock` on `<stateDir>/lock`, which also
/// records who holds it and since when. The kernel drops the lock when the process dies.
public final class RunLock: Sendable {
    private let fd: Int32
    public let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Takes the lock, waiting up to `wait` seconds; throws (exit 75) naming the holder when it cannot.
    public static func acquire(stateDir: String, purpose: String, wait: Double = 0) throws(CredsyncError) -> RunLock {
        do { try FileSystem.createDirectory(stateDir) } catch { throw CredsyncError(.ioError, error.description) }
        let path = StatePaths(stateDir: stateDir).lock
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw CredsyncError(.ioError, FileError(operation: "open", path: path, errno: errno).description)
        }
        let deadline = Timestamp.monotonic() + wait
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if Timestamp.monotonic() >= deadline {
                let holder = (try? FileSystem.readText(path))?.trimmingSpaces() ?? ""
                close(fd)
                throw CredsyncError(
                    .temporaryFailure, "another credsync run holds \(path)" + (holder.isEmpty ? "" : ": \(holder)"),
                    hint: "wait for it to finish; queue commands that only read work meanwhile")
            }
            usleep(100_000)
        }
        ftruncate(fd, 0)
        _ = FileOutput.writeAll(fd, "pid \(getpid()) since \(Timestamp.rfc3339(Timestamp.now())) (\(purpose))\n")
        return RunLock(fd: fd, path: path)
    }
}
