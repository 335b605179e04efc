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

    /// Appends accepted payloads.
    public static func append(_ payloads: [(String, JSONObject)], stateDir: String, platform: PlatformID, dataset: Dataset) {
        guard !payloads.isEmpty else { return }
        let file = path(stateDir: stateDir, platform: platform, dataset: dataset)
        var text = ""
        for (key, payload) in payloads {
            text += JSONWriter.compact(["key": .string(key), "payload": .object(payload)]) + "\n"
        }
        try? FileSystem.createDirectory(FileSystem.parent(of: file))
        let fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = FileOutput.writeAll(fd, text)
    }

    /// The last payload of every key.
    public static func load(stateDir: String, platform: PlatformID, dataset: Dataset) -> [String: JSONObject] {
        guard let text = try? FileSystem.readText(path(stateDir: stateDir, platform: platform, dataset: dataset)) else { return [:] }
        var result: [String: JSONObject] = [:]
        for line in text.split(separator: "\n") {
            guard let json = try? JSONParser.parse(String(line)), let key = json["key"]?.stringValue, let payload = json["payload"]?.objectValue else { continue }
            result[key] = payload
        }
        return result
    }

    /// The fields that differ: (field, old, new), an absent value as nil.
    public static func differences(old: JSONObject?, new: JSONObject) -> [(String, String?, String?)] {
        let keys = Set((old?.keys ?? []) + new.keys).sorted()
        return keys.compactMap { key in
            let before = old?[key]?.stringValue
            let after = new[key]?.stringValue
            return before == after ? nil : (key, before, after)
        }
    }
}
