#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore
import CredsyncState
import Synchronization

/// The manifest that ends each run's segment of the audit log: one audit line
/// `{"ts", "prev", "event": "manifest", "head", "run", "asOf", "counts", "key", "sig"}`. `head` is the
/// chain's head as the run leaves it (the hash of the line before, so every earlier line is covered),
/// `counts` what the run did per `platform/dataset`. `sig` is the base64 SM2 signature (SM3, signer id
/// `1234567812345678`) of the line's own bytes up to `,"sig":` with `}` in its place: the last member,
/// so that `sed` can cut it off and plain `openssl pkeyutl -verify` check it. Without a key the
/// manifest has `"unsigned": true` and no `sig`.
public enum AuditManifest {
    static let signatureMarker = ",\"sig\":\""

    /// The signed bytes and the base64 signature of a manifest line, or nil when it is unsigned.
    public static func split(_ line: String) -> (data: String, signature: String)? {
        let bytes = Array(line.utf8)
        let marker = Array(signatureMarker.utf8)
        guard bytes.count > marker.count + 2, bytes.suffix(2) == [UInt8(ascii: "\""), UInt8(ascii: "}")] else {
            return nil
        }
        let end = bytes.count - 2
        // The signature is base64: no quote in it, so the marker is the last quote's.
        guard let quote = bytes[..<end].lastIndex(of: UInt8(ascii: "\"")), quote + 1 >= marker.count,
            Array(bytes[(quote + 1 - marker.count)...quote]) == marker
        else { return nil }
        let data = String(decoding: bytes[..<(quote + 1 - marker.count)], as: UTF8.self) + "}"
        return (data, String(decoding: bytes[(quote + 1)..<end], as: UTF8.self))
    }

    /// The members of a run's manifest: its id, as-of date and counts per platform and dataset.
    public static func members(of report: SyncReport) -> JSONObject {
        var counts = JSONObject()
        for outcome in report.outcomes {
            counts[PublishTarget(outcome.platform, outcome.dataset).description] = .object(
                JSONObject([
                    JSONMember("created", .number(String(outcome.created))),
                    JSONMember("updated", .number(String(outcome.updated))),
                    JSONMember("withdrawn", .number(String(outcome.withdrawn))),
                    JSONMember("unchanged", .number(String(outcome.unchanged))),
                    JSONMember("rejected", .number(String(outcome.rejected.count))),
                    JSONMember("queued", .number(String(outcome.queued))),
                ]))
        }
        var object = JSONObject([
            JSONMember("run", .string(report.runID)), JSONMember("asOf", .string(report.asOf.iso)),
            JSONMember("counts", .object(counts)),
        ])
        if report.interrupted { object["interrupted"] = .bool(true) }
        return object
    }
}

extension AuditManifest {
    /// The configured signing key (`audit.signingKey`), read before anything is sent; none configured: nil.
    public static func signingKey(_ config: Config) throws(CredsyncError) -> SM2Key? {
        guard let file = config.audit.signingKey else { return nil }
        do {
            return try SM2Key(privatePEM: try FileSystem.read(file))
        } catch let error as SM2Error {
            throw CredsyncError(.configuration, "\(file) (audit.signingKey): \(error.description)")
        } catch {
            throw CredsyncError(.configuration, "\(file) (audit.signingKey): \(error)")
        }
    }

    /// Archives the audit files past the retention, as the end of a run does; a refusal is returned
    /// as a warning for the report, never an end to the run.
    public static func archiveExpired(_ config: Config, log: AuditLog) -> [String] {
        let before = AuditArchive.earliestKept(retentionDays: config.audit.retentionDays)
        do {
            let result = try AuditArchive.archive(
                auditFile: config.auditFile, archiveDir: config.audit.archiveDirectory(auditFile: config.auditFile),
                before: before, details: JSONObject([JSONMember("reason", "retention")]), log: log)
            return result.archived.isEmpty
                ? [] : ["audit: archived \(result.archived.count) file(s) older than \(before.iso)"]
        } catch {
            return ["audit: retention archiving skipped: \(error.message)"]
        }
    }
}

extension AuditLog {
    /// Appends a manifest sealing the chain as it stands, signed with `signer` when given.
    public func appendManifest(_ members: JSONObject, signer: SM2Key?) throws(CredsyncError) {
        let failure: SM2Error? = state.withLock { state in
            var object = JSONObject([
                JSONMember("ts", .string(Timestamp.rfc3339(Timestamp.now(), fractional: true))),
                JSONMember("prev", .string(state.last)), JSONMember("event", "manifest"),
                JSONMember("head", .string(state.last)),
            ])
            for member in members { object[member.key] = member.value }
            if let signer { object["key"] = .string(signer.fingerprint) } else { object["unsigned"] = .bool(true) }
            var line = Redactor.shared.redact(JSONWriter.compact(.object(object)))  // masks personal numbers too
            if let signer {
                do throws(SM2Error) {
                    let signature = try signer.sign(Array(line.utf8))
                    line = String(line.dropLast()) + AuditManifest.signatureMarker + Base64.encode(signature) + "\"}"
                } catch {
                    return error
                }
            }
            _ = FileOutput.writeAll(state.fd, line + "\n")
            _ = fsync(state.fd)
            state.last = SHA256.hex(line)
            try? FileSystem.writeAtomically(path + ".head", text: state.last + "\n", mode: 0o640)
            return nil
        }
        if let failure {
            throw CredsyncError(.software, "\(path): the run's manifest could not be signed: \(failure.description)")
        }
    }
}
