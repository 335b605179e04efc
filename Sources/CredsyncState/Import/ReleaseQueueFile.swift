import CredsyncCore

/// One entry of the release's retry queue, `queue/<platform>/<deferred|hold|dead>/<id>`, as it is
/// imported: its row, its payload (canonical JSON, 证件号码 masked) and its error history.
struct ReleaseQueueEntry {
    var row: QueueRow
    var payload: String?
    var errors: [QueueFailure]
}

/// The release's queue file formats, read as the release read them. Format 2:
///
///     credsync-spool 2 <length> <sha256>      the length and SHA-256 of every byte after this line
///     {"id":…,"key":…,"errors":[…]}           the entry without its payload (compact JSON, one line)
///     {"XK_XDR_MC":…}                          the payload (compact JSON, or null)
///
/// Format 1 has the same header line and one JSON object, the payload inside (`"payload"`).
enum ReleaseQueueFile {
    static func entry(_ file: ImportFile, platform: PlatformID, state: QueueState) throws(CredsyncError)
        -> ReleaseQueueEntry
    {
        let bytes = try file.read()
        do {
            return try decode(bytes, platform: platform, state: state)
        } catch {
            throw StateImport.damaged(
                file, error.reason,
                hint: "move it into queue/\(platform.rawValue)/corrupt/ (it is then kept aside, not imported, and the "
                    + "next sync plans its record again from the export), or drop it with the release's "
                    + "'credsync queue drop', then run again")
        }
    }

    struct Problem: Error {
        var reason: String
    }

    static func decode(_ bytes: [UInt8], platform: PlatformID, state: QueueState) throws(Problem) -> ReleaseQueueEntry {
        guard let newline = bytes.firstIndex(of: 0x0A) else { throw Problem(reason: "it has no header line (torn)") }
        let header = String(decoding: bytes[..<newline], as: UTF8.self).split(
            separator: " ", omittingEmptySubsequences: false)
        guard header.count == 4, header[0] == "credsync-spool", header[1] == "1" || header[1] == "2" else {
            throw Problem(reason: "its first line is not a `credsync-spool 1|2` header")
        }
        let body = Array(bytes[(newline + 1)...])
        guard let length = Int(header[2]), body.count == length else {
            throw Problem(
                reason: "it holds \(body.count) bytes after the header where the header says \(header[2]) (torn)")
        }
        guard header[3].count == 64, SHA256.hex(body) == header[3].lowercased() else {
            throw Problem(reason: "its SHA-256 does not match the header (altered, or a disk fault)")
        }
        let summary: JSONValue
        let payload: JSONValue?
        if header[1] == "1" {
            guard let json = try? JSONParser.parse(body), json.objectValue != nil else {
                throw Problem(reason: "its content is not a JSON object")
            }
            summary = json
            payload = json["payload"]
        } else {
            guard let split = body.firstIndex(of: 0x0A), let json = try? JSONParser.parse(Array(body[..<split])),
                let parsed = try? JSONParser.parse(Array(body[(split + 1)...]))
            else { throw Problem(reason: "its content is not a summary line and a payload") }
            guard parsed.objectValue != nil || parsed.isNull else {
                throw Problem(reason: "its payload is not an object")
            }
            summary = json
            payload = parsed
        }
        return try entry(summary, payload: payload, platform: platform, state: state)
    }

    private static func entry(
        _ json: JSONValue, payload: JSONValue?, platform: PlatformID, state: QueueState
    ) throws(Problem) -> ReleaseQueueEntry {
        guard let id = json["id"]?.stringValue, !id.isEmpty else { throw Problem(reason: "it has no id") }
        guard json["platform"]?.stringValue == platform.rawValue else {
            throw Problem(reason: "its platform is \(json["platform"]?.stringValue ?? "missing"), not its directory's")
        }
        guard let dataset = json["dataset"]?.stringValue.flatMap(Dataset.init(rawValue:)) else {
            throw Problem(reason: "its dataset \(json["dataset"]?.stringValue ?? "(missing)") is not a dataset")
        }
        guard let key = json["key"]?.stringValue else { throw Problem(reason: "it has no key") }
        guard let op = json["op"]?.stringValue.flatMap(RecordOperation.Kind.init(rawValue:)) else {
            throw Problem(reason: "its op \(json["op"]?.stringValue ?? "(missing)") is not upsert or withdraw")
        }
        var errors: [QueueFailure] = []
        for (index, error) in (json["errors"]?.arrayValue ?? []).enumerated() {
            guard let failureClass = error["class"]?.stringValue.flatMap(FailureClass.init(rawValue:)) else {
                throw Problem(reason: "errors[\(index)].class is not transient or permanent")
            }
            errors.append(
                QueueFailure(
                    at: error["at"]?.doubleValue ?? 0, failureClass: failureClass, status: error["status"]?.intValue,
                    code: error["code"]?.stringValue, message: error["message"]?.stringValue ?? ""))
        }
        let masked = payload?.objectValue.map { JSONWriter.canonical(.object(PersonalData.shown($0))) }
        let row = QueueRow(
            id: id, platform: platform, dataset: dataset, key: key, op: op, reason: json["reason"]?.stringValue ?? "",
            state: state, hash: json["hash"]?.stringValue, batch: json["batchId"]?.stringValue,
            attempts: max(0, json["attempts"]?.intValue ?? 0), firstAttempt: json["firstAttempt"]?.doubleValue ?? 0,
            lastAttempt: json["lastAttempt"]?.doubleValue ?? 0, nextAttempt: json["nextAttempt"]?.doubleValue ?? 0)
        return ReleaseQueueEntry(row: row, payload: masked, errors: errors)
    }
}
