import CredsyncCore

/// Records a platform rejected for their content: not sent again as they are, only once the export
/// changes them. `<stateDir>/ledger/<platform>/<dataset>.rejected.json`: key → the rejected hash
/// (`withdraw` for a withdrawal).
struct RejectedRecords {
    var hashes: [String: String] = [:]

    static func path(_ stateDir: String, _ platform: PlatformID, _ dataset: Dataset) -> String {
        "\(stateDir)/ledger/\(platform.rawValue)/\(dataset.rawValue).rejected.json"
    }

    static func load(_ stateDir: String, _ platform: PlatformID, _ dataset: Dataset) -> RejectedRecords {
        guard let bytes = try? FileSystem.read(path(stateDir, platform, dataset)), let object = (try? JSONParser.parse(bytes))?.objectValue else {
            return RejectedRecords()
        }
        var records = RejectedRecords()
        for member in object { if let hash = member.value.stringValue { records.hashes[member.key] = hash } }
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
