#if canImport(Glibc)
import Glibc
#endif
import CredsyncCore

/// The payloads last accepted by a platform, so a plan can show an update field by field.
/// `<stateDir>/ledger/<platform>/<dataset>.sent.jsonl`, one `{"key", "payload"}` a line, appended
/// as pushes are accepted; the last line of a key wins. Losing it loses only the old side of diffs.
public enum SentPayloads {
    public static func path(stateDir: String, platform: PlatformID, dataset: Dataset) -> String {
        "\(stateDir)/ledger/\(platform.rawValue)/\(dataset.rawValue).sent.jsonl"
    }

    static let hint =
        "move it aside: only the old side of 'plan --detail' diffs is lost until the records are sent again"

    /// Appends accepted payloads and fsyncs them; a failure throws (exit 74).
    public static func append(
        _ payloads: [(String, JSONObject)], stateDir: String, platform: PlatformID, dataset: Dataset
    ) throws(CredsyncError) {
        guard !payloads.isEmpty else { return }
        let file = path(stateDir: stateDir, platform: platform, dataset: dataset)
        var text = ""
        for (key, payload) in payloads {
            // A state file: personal numbers kept masked, as diffs show them anyway.
            text += JSONWriter.compact(["key": .string(key), "payload": .object(PersonalData.shown(payload))]) + "\n"
        }
        do { try FileSystem.createDirectory(FileSystem.parent(of: file)) } catch {
            throw CredsyncError(.ioError, error.description)
        }
        let fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw CredsyncError(
                .ioError, FileError(operation: "open", path: file, errno: errno).description, hint: hint)
        }
        defer { close(fd) }
        guard FileOutput.writeAll(fd, text), fsync(fd) == 0 else {
            throw CredsyncError(
                .ioError, FileError(operation: "append to", path: file, errno: errno).description,
                hint: "free space on the state directory's file system; the ledger holds the platform's answers")
        }
    }

    /// The last payload of every key; none when the file is missing. A torn last line (a crash
    /// during an append) is ignored; any other line that is not a payload throws (exit 74).
    public static func load(
        stateDir: String, platform: PlatformID, dataset: Dataset
    ) throws(CredsyncError) -> [String: JSONObject] {
        let file = path(stateDir: stateDir, platform: platform, dataset: dataset)
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(file) } catch {
            if error.isNotFound { return [:] }
            throw CredsyncError(.ioError, error.description, hint: hint)
        }
        var result: [String: JSONObject] = [:]
        var start = 0
        var number = 0
        for (i, byte) in bytes.enumerated() where byte == 0x0A {
            number += 1
            defer { start = i + 1 }
            guard i > start else { continue }
            guard let json = try? JSONParser.parse(Array(bytes[start..<i])), let key = json["key"]?.stringValue,
                let payload = json["payload"]?.objectValue
            else { throw CredsyncError(.ioError, "\(file) line \(number): not a sent payload", hint: hint) }
            result[key] = payload
        }
        return result
    }

    /// The fields that differ: (field, old, new), an absent value as nil. Both sides are compared
    /// as kept (`PersonalData.shown`): a personal number differs only where its mask shows it.
    public static func differences(old: JSONObject?, new: JSONObject) -> [(String, String?, String?)] {
        let old = old.map(PersonalData.shown)
        let new = PersonalData.shown(new)
        let keys = Set((old?.keys ?? []) + new.keys).sorted()
        return keys.compactMap { key in
            let before = old?[key]?.stringValue
            let after = new[key]?.stringValue
            return before == after ? nil : (key, before, after)
        }
    }
}
