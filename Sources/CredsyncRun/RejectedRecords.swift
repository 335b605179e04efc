import CredsyncCore

/// Records a platform rejected for their content: not sent again as they are, only once the export
/// changes them. `<stateDir>/ledger/<platform>/<dataset>.rejected.json`: key → the rejected hash
/// (`withdraw` for a withdrawal).
struct RejectedRecords {
    var hashes: [String: String] = [:]

    static func path(_ stateDir: String, _ platform: PlatformID, _ dataset: Dataset) -> String {
        "\(stateDir)/ledger/\(platform.rawValue)/\(dataset.rawValue).rejected.json"
    }

    /// The list; empty when the file is missing. A file that cannot be read or does not parse
    /// throws (exit 74): read as empty, it would send every rejected record again.
    static func load(
        _ stateDir: String, _ platform: PlatformID, _ dataset: Dataset
    ) throws(CredsyncError) -> RejectedRecords {
        let file = path(stateDir, platform, dataset)
        let hint = "restore it from a backup, or move it aside: the records it lists are then sent again as they are, "
            + "and rejected again"
        guard let object = try StateFile.object(file, hint: hint) else { return RejectedRecords() }
        var records = RejectedRecords()
        for member in object {
            guard let hash = member.value.stringValue else {
                throw CredsyncError(.ioError, "\(file): the value of \"\(member.key)\" is not a string", hint: hint)
            }
            records.hashes[member.key] = hash
        }
        return records
    }

    func save(_ stateDir: String, _ platform: PlatformID, _ dataset: Dataset) throws(CredsyncError) {
        let object = JSONObject(hashes.sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value)) })
        do {
            try FileSystem.writeAtomically(Self.path(stateDir, platform, dataset), text: JSONWriter.compact(.object(object)) + "\n")
        } catch {
            throw CredsyncError(.ioError, error.description)
        }
    }
}
