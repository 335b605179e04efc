#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore

/// Retention of the audit log: rotated files whose last line is older than a date are moved to the
/// archive directory, never deleted, and the move is itself an audit line
/// (`{"event": "audit-archive", "archivedHead", "files", …}`) so that the kept chain, which now starts
/// after the archived files' last line, still verifies. Only a run of the oldest rotated files moves
/// (never the live file, never one out of the middle), and only when the whole chain verifies first.
public enum AuditArchive {
    /// What an archiving did.
    public struct Result: Sendable {
        /// The archived files' new paths, oldest first.
        public var archived: [String] = []
        public var lines = 0
    }

    /// Archives the rotated files of `auditFile` whose last line is dated before `before` (UTC).
    /// Refuses (exit 65, naming the broken line) when the chain does not verify; `details` go into
    /// the archive event (who, why), appended through `log` when the caller holds the log open.
    public static func archive(
        auditFile: String, archiveDir: String, before: LocalDate, details: JSONObject, log: AuditLog? = nil
    ) throws(CredsyncError) -> Result {
        var result = Result()
        let rotations = AuditLog.rotations(of: auditFile)
        var chosen: [(path: String, first: String, last: String, lines: Int)] = []
        for file in rotations {
            let lines: [Substring]
            do { lines = try FileSystem.readText(file).split(separator: "\n") } catch {
                throw CredsyncError(.ioError, error.description)
            }
            guard let first = lines.first, let last = lines.last, let date = dateOf(last), date < before else { break }
            chosen.append((file, String(first), String(last), lines.count))
        }
        guard let lastChosen = chosen.last else { return result }
        let files = (rotations + [auditFile]).filter(FileSystem.exists)
        let head = (try? FileSystem.readText(auditFile + ".head"))?.trimmingSpaces()
        let outcome = try AuditVerifier.verify(files: files, head: head)
        if let broken = outcome.broken {
            throw CredsyncError(
                .dataError, "refusing to archive audit files: \(broken.file) line \(broken.line): \(broken.reason)",
                hint: "find out what changed the audit log first ('credsync audit verify'); nothing was moved")
        }
        do { try FileSystem.createDirectory(archiveDir) } catch { throw CredsyncError(.ioError, error.description) }
        var targets: [String] = []
        for file in chosen {
            let name =
                FileSystem.baseName(auditFile) + "." + (dateOf(Substring(file.first))?.iso ?? "unknown") + "."
                + (dateOf(Substring(file.last))?.iso ?? "unknown") + "." + String(SHA256.hex(file.last).prefix(12))
            let target = archiveDir + "/" + name
            guard !FileSystem.exists(target) else {
                throw CredsyncError(.ioError, "\(target): already exists; refusing to archive \(file.path) over it")
            }
            targets.append(target)
            result.lines += file.lines
        }
        // The event first: a crash before the moves leaves files in place and a chain that verifies.
        var event = JSONObject([
            JSONMember("event", "audit-archive"), JSONMember("before", .string(before.iso)),
            JSONMember("archivedHead", .string(SHA256.hex(lastChosen.last))),
            JSONMember("lines", .number(String(result.lines))), JSONMember("archiveDir", .string(archiveDir)),
            JSONMember("files", .array(targets.map { .string(FileSystem.baseName($0)) })),
        ])
        for member in details { event[member.key] = member.value }
        if let log { log.append(event) } else { try AuditLog(path: auditFile).append(event) }
        for (file, target) in zip(chosen, targets) {
            guard rename(file.path, target) == 0 else {
                throw CredsyncError(
                    .ioError, FileError(operation: "move to \(target)", path: file.path, errno: errno).description)
            }
            result.archived.append(target)
        }
        try? FileSystem.syncDirectory(of: auditFile)
        try? FileSystem.syncDirectory(of: targets[0])
        let kept = (AuditLog.rotations(of: auditFile) + [auditFile]).filter(FileSystem.exists)
        let after = try AuditVerifier.verify(files: kept, head: head.map { _ in AuditLog.lastHash(path: auditFile) })
        if let broken = after.broken {
            throw CredsyncError(.software, "after archiving, \(broken.file) line \(broken.line): \(broken.reason)")
        }
        return result
    }

    /// The UTC date of an audit line's `ts`.
    static func dateOf(_ line: Substring) -> LocalDate? {
        guard let range = line.utf8.firstRange(of: Array("\"ts\":\"".utf8)) else { return nil }
        let rest = line[range.upperBound...]
        return LocalDate(iso: String(rest.prefix(10)))
    }

    /// The first day `--before` may name under a retention of `days`: everything since stays.
    public static func earliestKept(retentionDays days: Int, now: Double = Timestamp.now()) -> LocalDate {
        let today = LocalDate(iso: String(Timestamp.rfc3339(now).prefix(10))) ?? LocalDate.todayInShanghai(now: now)
        return today.adding(days: -days)
    }
}
