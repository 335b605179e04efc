#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore
import Synchronization

/// The append-only audit log: one JSON object a line for every batch sent and its answer (batch
/// id, platform, dataset, keys, hashes, outcomes, request ids). Never a secret, never a personal
/// number in clear. Each line carries `prev`, the SHA-256 of the line before it (across rotated
/// files too), and `<file>.head` keeps the SHA-256 of the last line: an edit, an insertion or a
/// deletion anywhere breaks the chain, and `credsync audit verify` names the first broken line.
public final class AuditLog: Sendable {
    public let path: String
    let state: Mutex<(fd: Int32, last: String)>
    public static let genesis = String(repeating: "0", count: 64)

    public init(path: String) throws(CredsyncError) {
        self.path = path
        do { try FileSystem.createDirectory(FileSystem.parent(of: path)) } catch {
            throw CredsyncError(.ioError, error.description)
        }
        let torn = try Self.mendTornTail(path: path)
        let last = Self.lastHash(path: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw CredsyncError(
                .ioError, FileError(operation: "open the audit log", path: path, errno: errno).description)
        }
        state = Mutex((fd, last))
        // What was cut is said in the chain itself: its length and hash.
        if let torn {
            append(
                JSONObject([
                    JSONMember("event", "torn-line"), JSONMember("bytes", .number(String(torn.count))),
                    JSONMember("sha256", .string(SHA256.hex(torn))),
                ]))
        }
    }

    /// A run killed inside the write of a line leaves part of it after the last newline: never a
    /// line of the chain (its answer was not recorded either). It is cut off, and its bytes
    /// returned for the chain to record; nil when the log ends with a whole line.
    static func mendTornTail(path: String) throws(CredsyncError) -> [UInt8]? {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0, let tail = tail(of: fd, size: size), tail.last != 0x0A else { return nil }
        let cut = tail.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let torn = Array(tail[cut...])
        guard ftruncate(fd, off_t(size - torn.count)) == 0, fsync(fd) == 0 else {
            throw CredsyncError(
                .ioError, FileError(operation: "cut the torn last line of", path: path, errno: errno).description)
        }
        return torn
    }

    deinit { state.withLock { _ = close($0.fd) } }

    /// The hash the next line chains to: the head file (or the log's last line when that line
    /// chains to the head), else the last line of the log or of its newest rotation, else the genesis.
    static func lastHash(path: String) -> String {
        if let text = try? FileSystem.readText(path + ".head"), text.trimmingSpaces().count == 64 {
            // A kill between a line's write and the head's update leaves the head one line behind:
            // the last line then chains to the head, and is the one the next line follows. The head
            // is put right at once, so that a second such kill leaves it one line behind, not two.
            let head = text.trimmingSpaces()
            if let line = lastLine(of: path), (try? JSONParser.parse(line))?["prev"]?.stringValue == head {
                let last = SHA256.hex(line)
                try? FileSystem.writeAtomically(path + ".head", text: last + "\n", mode: 0o640)
                return last
            }
            return head
        }
        for file in [path] + rotations(of: path).reversed() {
            if let text = try? FileSystem.readText(file), let line = text.split(separator: "\n").last {
                return SHA256.hex(String(line))
            }
        }
        return genesis
    }

    /// The last line of the file at `path` (without its newline), read from the end; nil when
    /// there is none.
    static func lastLine(of path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard var tail = tail(of: fd, size: Int(lseek(fd, 0, SEEK_END))) else { return nil }
        if tail.last == 0x0A { tail.removeLast() }
        guard !tail.isEmpty else { return nil }
        let from = tail.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        return String(decoding: tail[from...], as: UTF8.self)
    }

    /// The end of the file open at `fd` (`size` bytes long), read back in 64 KiB steps until it
    /// holds a newline before its last byte (so the whole last line), or the whole file; nil when
    /// it cannot be read.
    private static func tail(of fd: Int32, size: Int) -> [UInt8]? {
        var end = size
        var tail: [UInt8] = []
        while end > 0 {
            let start = max(0, end - 65536)
            var chunk = [UInt8](repeating: 0, count: end - start)
            guard pread(fd, &chunk, chunk.count, off_t(start)) == chunk.count else { return nil }
            tail = chunk + tail
            end = start
            if tail.dropLast().contains(0x0A) { break }
        }
        return tail
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
            var object = JSONObject([
                JSONMember("ts", .string(Timestamp.rfc3339(Timestamp.now(), fractional: true))),
                JSONMember("prev", .string(state.last)),
            ])
            for member in event { object[member.key] = member.value }
            let line = Redactor.shared.redact(JSONWriter.compact(.object(object)))  // masks personal numbers too
            _ = FileOutput.writeAll(state.fd, line + "\n")
            _ = fsync(state.fd)
            state.last = SHA256.hex(line)
            try? FileSystem.writeAtomically(path + ".head", text: state.last + "\n", mode: 0o640)
        }
    }
}

/// Checking the chain, and the signed manifests that seal each run's segment of it.
public enum AuditVerifier {
    public struct Outcome: Sendable {
        public var lines = 0
        /// The first broken place: file, line and why.
        public var broken: (file: String, line: Int, reason: String)?
        /// Manifests found, and of them: signatures checked and good, unsigned, signed but unchecked
        /// (no public key given).
        public var manifests = 0
        public var signaturesVerified = 0
        public var unsigned = 0
        public var unchecked = 0
        /// Lines after the last manifest: not yet sealed by a run (operator actions since, or a run
        /// that stopped before its end).
        public var unsealedLines = 0
        /// The archive event that explains where the kept chain starts, when it does not start at genesis.
        public var startsAfterArchive: String?
    }

    /// Verifies `files` in order as one chain; `head` is the expected hash of the last line, if
    /// known; `key` checks every manifest's SM2 signature. The chain must start at the genesis, or
    /// after the last line of files an archive event in the chain moved away: a removed file,
    /// at the start or between two others, breaks it.
    public static func verify(files: [String], head: String?, key: SM2Key? = nil) throws(CredsyncError) -> Outcome {
        var outcome = Outcome()
        var previous: String?
        var lastLine = 0
        var firstPrev: (file: String, hash: String)?
        var archivedHeads: [String: String] = [:]
        var manifests: [(file: String, line: Int, text: String, json: JSONValue)] = []
        for (fileIndex, file) in files.enumerated() {
            let text: String
            do { text = try FileSystem.readText(file) } catch { throw CredsyncError(.ioError, error.description) }
            var isFirstOfFile = true
            let fileLines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in fileLines.enumerated() where !line.isEmpty {
                outcome.lines += 1
                guard let json = try? JSONParser.parse(String(line)), let prev = json["prev"]?.stringValue else {
                    outcome.broken = (file, index + 1, "not an audit line (no prev)")
                    return outcome
                }
                if firstPrev == nil { firstPrev = (file, prev) }
                if let previous, prev != previous {
                    let reason =
                        isFirstOfFile && fileIndex > 0
                        ? "its prev does not match the last line of \(files[fileIndex - 1]): "
                            + "an audit file between them was removed, or lines were cut"
                        : "its prev does not match the line before: "
                            + "a line was edited, inserted or deleted here or just before"
                    outcome.broken = (file, index + 1, reason)
                    return outcome
                }
                isFirstOfFile = false
                previous = SHA256.hex(String(line))
                lastLine = index + 1
                switch json["event"]?.stringValue {
                case "manifest":
                    manifests.append((file, index + 1, String(line), json))
                    outcome.unsealedLines = 0
                case "audit-archive":
                    if let archived = json["archivedHead"]?.stringValue {
                        archivedHeads[archived] = "\(file) line \(index + 1)"
                    }
                    outcome.unsealedLines += 1
                default:
                    outcome.unsealedLines += 1
                }
            }
        }
        if let head, let previous, head != previous {
            outcome.broken = (
                files.last ?? "", lastLine,
                "the last line does not match the head file: it was edited, or lines were removed from the end"
            )
            return outcome
        }
        if let firstPrev, firstPrev.hash != AuditLog.genesis {
            guard let archive = archivedHeads[firstPrev.hash] else {
                outcome.broken = (
                    firstPrev.file, 1,
                    "the chain does not start here and no archive event in it says why: "
                        + "the audit file before it was removed, or lines were cut from its start"
                )
                return outcome
            }
            outcome.startsAfterArchive = archive
        }
        checkManifests(manifests, key: key, into: &outcome)
        return outcome
    }

    /// Checks each manifest: its head is its prev, and its signature is good under `key`. An unsigned
    /// manifest after a signed one is a downgrade, so broken; before the first signed one, counted.
    static func checkManifests(
        _ manifests: [(file: String, line: Int, text: String, json: JSONValue)], key: SM2Key?,
        into outcome: inout Outcome
    ) {
        var seenSigned = false
        for manifest in manifests {
            outcome.manifests += 1
            guard manifest.json["head"]?.stringValue == manifest.json["prev"]?.stringValue else {
                outcome.broken = (manifest.file, manifest.line, "the manifest's head is not its prev")
                return
            }
            guard let signed = AuditManifest.split(manifest.text) else {
                if seenSigned {
                    outcome.broken = (
                        manifest.file, manifest.line,
                        "the manifest is unsigned, after signed ones: its signature was removed"
                    )
                    return
                }
                outcome.unsigned += 1
                continue
            }
            seenSigned = true
            guard let key else {
                outcome.unchecked += 1
                continue
            }
            guard let signature = Base64.decode(signed.signature), key.verify(signature, of: Array(signed.data.utf8))
            else {
                outcome.broken = (
                    manifest.file, manifest.line,
                    "the manifest's SM2 signature does not verify with key \(key.fingerprint): "
                        + "the manifest or a line before it was changed, or another key signed it"
                )
                return
            }
            outcome.signaturesVerified += 1
        }
    }
}
