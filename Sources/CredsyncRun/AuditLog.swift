#if canImport(Glibc)
import Glibc
#endif
import CredsyncCore
import Synchronization

/// The append-only audit log: one JSON object a line for every batch sent and its answer (batch
/// id, platform, dataset, keys, hashes, outcomes, request ids). Never a secret, never a personal
/// number in clear. Each line carries `prev`, the SHA-256 of the line before it (across rotated
/// files too), and `<file>.head` keeps the SHA-256 of the last line: an edit, an insertion or a
/// deletion anywhere breaks the chain, and `credsync audit verify` names the first broken line.
public final class AuditLog: Sendable {
    public let path: String
    private let state: Mutex<(fd: Int32, last: String)>
    public static let genesis = String(repeating: "0", count: 64)

    public init(path: String) throws(CredsyncError) {
        self.path = path
        do { try FileSystem.createDirectory(FileSystem.parent(of: path)) } catch { throw CredsyncError(.ioError, error.description) }
        let last = Self.lastHash(path: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw CredsyncError(.ioError, FileError(operation: "open the audit log", path: path, errno: errno).description) }
        state = Mutex((fd, last))
    }

    deinit { state.withLock { _ = close($0.fd) } }

    /// The hash the next line chains to: the head file, else the last line of the log or of its
    /// newest rotation, else the genesis.
    static func lastHash(path: String) -> String {
        if let head = try? FileSystem.readText(path + ".head"), head.trimmingSpaces().count == 64 { return head.trimmingSpaces() }
        for file in [path] + rotations(of: path).reversed() {
            if let text = try? FileSystem.readText(file), let line = text.split(separator: "\n").last {
                return SHA256.hex(String(line))
            }
        }
        return genesis
    }

    /// Rotated files of `path` (`path.1`, `path.2`, … as logrotate names them), oldest first.
    public static func rotations(of path: String) -> [String] {
        let directory = FileSystem.parent(of: path)
        let base = FileSystem.baseName(path)
        let names = (try? FileSystem.list(directory)) ?? []
        let numbered = names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix(base + "."), let n = Int(name.dropFirst(base.count + 1)) else { return nil }
            return (n, directory + "/" + name)
        }
        return numbered.sorted { $0.0 > $1.0 }.map(\.1)
    }

    /// Appends one event, chained to the line before, and makes it durable.
    public func append(_ event: JSONObject) {
        state.withLock { state in
            var object = JSONObject([JSONMember("ts", .string(Timestamp.rfc3339(Timestamp.now(), fractional: true))), JSONMember("prev", .string(state.last))])
            for member in event { object[member.key] = member.value }
            let line = PersonalData.mask(Redactor.shared.redact(JSONWriter.compact(.object(object))))
            _ = FileOutput.writeAll(state.fd, line + "\n")
            _ = fsync(state.fd)
            state.last = SHA256.hex(line)
            try? FileSystem.writeAtomically(path + ".head", text: state.last + "\n", mode: 0o640)
        }
    }
}

/// Checking the chain.
public enum AuditVerifier {
    public struct Outcome: Sendable {
        public var lines = 0
        /// The first broken place: file, line and why.
        public var broken: (file: String, line: Int, reason: String)?
    }

    /// Verifies `files` in order as one chain; `head` is the expected hash of the last line, if known.
    public static func verify(files: [String], head: String?) throws(CredsyncError) -> Outcome {
        var outcome = Outcome()
        var previous: String?
        var lastLine = 0
        for file in files {
            let text: String
            do { text = try FileSystem.readText(file) } catch { throw CredsyncError(.ioError, error.description) }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
                outcome.lines += 1
                guard let json = try? JSONParser.parse(String(line)), let prev = json["prev"]?.stringValue else {
                    outcome.broken = (file, index + 1, "not an audit line (no prev)")
                    return outcome
                }
                if let previous, prev != previous {
                    outcome.broken = (file, index + 1, "its prev does not match the line before: a line was edited, inserted or deleted here or just before")
                    return outcome
                }
                previous = SHA256.hex(String(line))
                lastLine = index + 1
            }
        }
        if let head, let previous, head != previous {
            outcome.broken = (files.last ?? "", lastLine, "the last line does not match the head file: it was edited, or lines were removed from the end")
        }
        return outcome
    }
}
