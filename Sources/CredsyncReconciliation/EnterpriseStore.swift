#if canImport(Glibc)
import Glibc
#endif
import CredsyncCore

/// An enterprise as the store keeps it: gsxt's record, where it came from and when.
public struct StoredEnterprise: Sendable {
    public var enterprise: JSONValue
    /// The change feed's seq, or nil when it came from a query.
    public var seq: Int?
    /// Unix seconds of the pull or query.
    public var fetchedAt: Double
    public var notFound: Bool

    public var name: String { enterprise["name"]?.stringValue ?? "" }
    public var status: String { enterprise["status"]?.stringValue ?? "" }
    public var updatedAt: String { enterprise["updatedAt"]?.stringValue ?? "" }
}

/// The local enterprise store: gsxt's enterprises and SAMR's serious-illegal list, by USCC.
///
/// `<stateDir>/enterprises/enterprises.jsonl` and `serious-illegal.jsonl` are journals, one JSON
/// object a line, appended and fsynced before a feed's cursor (`cursors.json`) moves past them, so a
/// crash loses nothing and at most re-reads a page; duplicates are harmless (the highest seq wins).
/// A torn last line is ignored. The journal is rewritten atomically when it holds twice what is live.
public struct EnterpriseStore: Sendable {
    public let directory: String
    public private(set) var enterprises: [String: StoredEnterprise] = [:]
    /// List entries by USCC, in seq order.
    public private(set) var listEntries: [String: [JSONValue]] = [:]
    public private(set) var cursors: [String: String] = [:]
    public private(set) var pulledAt: Double?
    private var journalLines = 0

    public init(stateDir: String) throws(CredsyncError) {
        directory = stateDir + "/enterprises"
        do { try FileSystem.createDirectory(directory) } catch { throw CredsyncError(.ioError, error.description) }
        replay(file: directory + "/enterprises.jsonl") { store, line in store.apply(line) }
        replay(file: directory + "/serious-illegal.jsonl") { store, line in store.applyList(line) }
        if let json = try? JSONParser.parse(try FileSystem.read(directory + "/cursors.json")) {
            for key in ["enterprises", "list"] { if let cursor = json[key]?.stringValue { cursors[key] = cursor } }
            pulledAt = json["pulledAt"]?.doubleValue
        }
    }

    private mutating func replay(file: String, _ apply: (inout EnterpriseStore, JSONValue) -> Void) {
        guard let bytes = try? FileSystem.read(file) else { return }
        var start = 0
        for (i, byte) in bytes.enumerated() where byte == 0x0A {
            if let line = try? JSONParser.parse(Array(bytes[start..<i])) {
                apply(&self, line)
                journalLines += 1
            }
            start = i + 1
        }
    }

    private mutating func apply(_ line: JSONValue) {
        let fetchedAt = line["fetchedAt"]?.doubleValue ?? 0
        if let code = line["notFound"]?.stringValue {
            if enterprises[code].map({ !$0.notFound }) != true {
                enterprises[code] = StoredEnterprise(enterprise: ["uscc": .string(code)], seq: nil, fetchedAt: fetchedAt, notFound: true)
            }
            return
        }
        guard let enterprise = line["enterprise"], let code = enterprise["uscc"]?.stringValue else { return }
        let seq = line["seq"]?.intValue
        if let seq, let existing = enterprises[code]?.seq, existing > seq { return }  // an older page read again
        enterprises[code] = StoredEnterprise(enterprise: enterprise, seq: seq ?? enterprises[code]?.seq, fetchedAt: fetchedAt, notFound: false)
    }

    private mutating func applyList(_ line: JSONValue) {
        guard let code = line["uscc"]?.stringValue else { return }
        let seq = line["seq"]?.intValue ?? 0
        var entries = listEntries[code] ?? []
        if entries.contains(where: { ($0["seq"]?.intValue ?? -1) == seq }) { return }
        entries.append(line)
        entries.sort { ($0["seq"]?.intValue ?? 0) < ($1["seq"]?.intValue ?? 0) }
        listEntries[code] = entries
    }

    /// Appends enterprises durably (fsync) and applies them.
    public mutating func append(enterprises items: [(seq: Int?, enterprise: JSONValue)], notFound: [String] = [], now: Double = Timestamp.now()) throws(CredsyncError) {
        var lines: [JSONValue] = items.map { item in
            var object = JSONObject([JSONMember("fetchedAt", .number(String(Int(now)))), JSONMember("enterprise", item.enterprise)])
            if let seq = item.seq { object["seq"] = .number(String(seq)) }
            return .object(object)
        }
        lines += notFound.map { ["notFound": .string($0), "fetchedAt": .number(String(Int(now)))] }
        try appendLines(lines, to: "enterprises.jsonl")
        for line in lines { apply(line) }
        journalLines += lines.count
    }

    /// Appends list items (with their seq) durably and applies them.
    public mutating func append(listItems items: [JSONValue]) throws(CredsyncError) {
        try appendLines(items, to: "serious-illegal.jsonl")
        for item in items { applyList(item) }
    }

    private func appendLines(_ lines: [JSONValue], to name: String) throws(CredsyncError) {
        guard !lines.isEmpty else { return }
        let path = directory + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw CredsyncError(.ioError, FileError(operation: "open", path: path, errno: errno).description) }
        defer { close(fd) }
        var text = ""
        for line in lines { text += JSONWriter.compact(line) + "\n" }
        guard FileOutput.writeAll(fd, text), fsync(fd) == 0 else {
            throw CredsyncError(.ioError, FileError(operation: "append to", path: path, errno: errno).description)
        }
    }

    /// Saves a feed's cursor, atomically, once what it covers is stored.
    public mutating func saveCursor(_ cursor: String?, feed: String, now: Double = Timestamp.now()) throws(CredsyncError) {
        cursors[feed] = cursor
        pulledAt = now
        var object = JSONObject()
        for (key, value) in cursors.sorted(by: { $0.key < $1.key }) { object[key] = .string(value) }
        object["pulledAt"] = .number(String(Int(now)))
        do { try FileSystem.writeAtomically(directory + "/cursors.json", text: JSONWriter.compact(.object(object)) + "\n") } catch {
            throw CredsyncError(.ioError, error.description)
        }
    }

    /// Rewrites the enterprise journal with what is live, atomically, when it has grown to twice that.
    public mutating func compactIfNeeded() throws(CredsyncError) {
        guard journalLines > 2 * max(1000, enterprises.count) else { return }
        var text = ""
        for (_, stored) in enterprises.sorted(by: { $0.key < $1.key }) {
            var object = JSONObject([JSONMember("fetchedAt", .number(String(Int(stored.fetchedAt))))])
            if stored.notFound { object["notFound"] = .string(stored.enterprise["uscc"]?.stringValue ?? "") } else { object["enterprise"] = stored.enterprise }
            if let seq = stored.seq { object["seq"] = .number(String(seq)) }
            text += JSONWriter.compact(.object(object)) + "\n"
        }
        do { try FileSystem.writeAtomically(directory + "/enterprises.jsonl", text: text, mode: 0o640) } catch {
            throw CredsyncError(.ioError, error.description)
        }
        journalLines = enterprises.count
    }

    /// Whether the enterprise is on SAMR's serious-illegal list on `date` (listed on or before it,
    /// not removed by then).
    public func isListed(_ code: String, on date: LocalDate) -> JSONValue? {
        var current: JSONValue?
        for entry in listEntries[code] ?? [] {
            guard let day = entry["date"]?.stringValue.flatMap(LocalDate.init(iso:)), day <= date else { continue }
            current = entry["action"]?.stringValue == "listed" ? entry : nil
        }
        return current
    }
}
