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
/// `<stateDir>/enterprises/enterprises.journal` holds one line per enterprise record received:
/// `<uscc>\t<seq or ->\t<fetchedAt>\t<gsxt's JSON, or - when gsxt does not know the code>`. Loading
/// indexes the lines without parsing their JSON (that happens on lookup), so a million enterprises
/// load in about a second and a lookup is one hash. `serious-illegal.jsonl` holds the list feed. Both
/// are appended and fsynced before a feed's cursor (`cursors.json`) moves past them: a crash loses
/// nothing and at most re-reads a page; duplicates are harmless (the highest seq wins). A torn last
/// line is ignored. The journal is rewritten atomically when it holds twice what is live.
public struct EnterpriseStore: Sendable {
    public let directory: String
    /// The journal as read at load, and where each code's line stands in it.
    private var base: [UInt8] = []
    private var slots: [String: Slot] = [:]
    /// Records received since the load.
    private var recent: [String: StoredEnterprise] = [:]
    /// List entries by USCC, in seq order.
    public private(set) var listEntries: [String: [JSONValue]] = [:]
    public private(set) var cursors: [String: String] = [:]
    public private(set) var pulledAt: Double?
    private var journalLines = 0

    struct Slot: Sendable {
        var start: Int
        var end: Int
        var seq: Int?
        var fetchedAt: Double
    }

    /// Loads the store; missing files are an empty store. A file that cannot be read, or a
    /// complete line that is not what the store writes, throws (exit 74): an unreadable store is
    /// not an empty one. A torn last line (a crash during an append) is ignored.
    public init(stateDir: String) throws(CredsyncError) {
        directory = stateDir + "/enterprises"
        do { try FileSystem.createDirectory(directory) } catch { throw CredsyncError(.ioError, error.description) }
        if let bytes = try Self.readIfPresent(directory + "/enterprises.journal"), let line = index(bytes) {
            throw Self.damage(directory + "/enterprises.journal", "line \(line) is not an enterprise record")
        }
        if let bytes = try Self.readIfPresent(directory + "/serious-illegal.jsonl") {
            var start = 0
            var number = 0
            for (i, byte) in bytes.enumerated() where byte == 0x0A {
                number += 1
                defer { start = i + 1 }
                guard i > start else { continue }
                guard let line = try? JSONParser.parse(Array(bytes[start..<i])), line["uscc"]?.stringValue != nil else {
                    throw Self.damage(directory + "/serious-illegal.jsonl", "line \(number) is not a list entry")
                }
                applyList(line)
            }
        }
        if let bytes = try Self.readIfPresent(directory + "/cursors.json") {
            let file = directory + "/cursors.json"
            guard let json = try? JSONParser.parse(bytes), json.objectValue != nil else {
                throw Self.damage(file, "not a JSON object")
            }
            for key in ["enterprises", "list"] where json[key] != nil {
                guard let cursor = json[key]?.stringValue else {
                    throw Self.damage(file, "\(key) is not a cursor string")
                }
                cursors[key] = cursor
            }
            pulledAt = json["pulledAt"]?.doubleValue
        }
    }

    /// The file's bytes, nil when it does not exist; any other failure throws (exit 74).
    private static func readIfPresent(_ file: String) throws(CredsyncError) -> [UInt8]? {
        do { return try FileSystem.read(file) } catch {
            if error.isNotFound { return nil }
            throw CredsyncError(.ioError, error.description, hint: recovery)
        }
    }

    static let recovery =
        "move the enterprises directory aside and run 'credsync pull': it reads the feeds again from the start"

    private static func damage(_ file: String, _ reason: String) -> CredsyncError {
        CredsyncError(.ioError, "\(file): \(reason)", hint: recovery)
    }

    /// Indexes the journal's lines; the highest seq of a code wins, a later line breaks a tie.
    /// Returns the number of the first complete line that is malformed, or nil.
    private mutating func index(_ bytes: [UInt8]) -> Int? {
        base = bytes
        slots.reserveCapacity(bytes.count / 300)
        var table = slots
        var lines = 0
        let malformed = bytes.withUnsafeBufferPointer { buffer -> Int? in
            let count = buffer.count
            var lineStart = 0
            var number = 0
            while lineStart < count {
                number += 1
                // uscc \t seq \t fetchedAt \t json \n
                var tabs = (0, 0, 0)
                var found = 0
                var j = lineStart
                while j < count && buffer[j] != 0x0A {
                    if buffer[j] == 0x09 && found < 3 {
                        switch found {
                        case 0: tabs.0 = j
                        case 1: tabs.1 = j
                        default: tabs.2 = j
                        }
                        found += 1
                    }
                    j += 1
                }
                guard j < count else { break }  // a torn last line
                if j > lineStart {
                    // A complete line is what `append` writes, or the journal is damaged.
                    guard found == 3, tabs.0 > lineStart, let fetchedAt = ASCIIDecimal.parse(buffer, tabs.1 + 1, tabs.2)
                    else { return number }
                    let seq = ASCIIDecimal.parse(buffer, tabs.0 + 1, tabs.1)
                    let isDash = { (from: Int, to: Int) in to == from + 1 && buffer[from] == UInt8(ascii: "-") }
                    let isObject = j - tabs.2 > 2 && buffer[tabs.2 + 1] == UInt8(ascii: "{")
                        && buffer[j - 1] == UInt8(ascii: "}")
                    guard seq != nil || isDash(tabs.0 + 1, tabs.1), isObject || isDash(tabs.2 + 1, j)
                    else { return number }
                    let code = String(decoding: UnsafeBufferPointer(rebasing: buffer[lineStart..<tabs.0]), as: UTF8.self)
                    let slot = Slot(start: tabs.2 + 1, end: j, seq: seq, fetchedAt: Double(fetchedAt))
                    if let previous = table.updateValue(slot, forKey: code) {
                        if let old = previous.seq, let new = seq, old > new {
                            table[code] = previous  // an older page read again
                        } else if seq == nil {
                            table[code]?.seq = previous.seq
                        }
                    }
                    lines += 1
                }
                lineStart = j + 1
            }
            return nil
        }
        slots = table
        journalLines += lines
        return malformed
    }


    /// The enterprise with this USCC, if the store holds it.
    public func enterprise(_ code: String) -> StoredEnterprise? {
        if let stored = recent[code] { return stored }
        guard let slot = slots[code] else { return nil }
        let json = Array(base[slot.start..<slot.end])
        if json == [UInt8(ascii: "-")] {
            return StoredEnterprise(enterprise: ["uscc": .string(code)], seq: nil, fetchedAt: slot.fetchedAt, notFound: true)
        }
        let enterprise = (try? JSONParser.parse(json)) ?? ["uscc": .string(code)]
        return StoredEnterprise(enterprise: enterprise, seq: slot.seq, fetchedAt: slot.fetchedAt, notFound: false)
    }

    /// How many enterprises (and unknown codes) the store holds.
    public var count: Int { slots.count + recent.keys.filter { slots[$0] == nil }.count }

    /// Every USCC the store holds.
    public var codes: [String] { Array(Set(slots.keys).union(recent.keys)) }

    private mutating func remember(_ code: String, _ stored: StoredEnterprise) {
        if let seq = stored.seq, let existing = enterprise(code)?.seq, existing > seq { return }
        var kept = stored
        if kept.seq == nil { kept.seq = enterprise(code)?.seq }
        if kept.notFound, let existing = enterprise(code), !existing.notFound { return }
        recent[code] = kept
    }

    /// Appends enterprises durably (fsync) and applies them.
    public mutating func append(enterprises items: [(seq: Int?, enterprise: JSONValue)], notFound: [String] = [], now: Double = Timestamp.now()) throws(CredsyncError) {
        var text = ""
        var applied: [(String, StoredEnterprise)] = []
        for item in items {
            guard let code = item.enterprise["uscc"]?.stringValue, !code.contains("\t") else { continue }
            text += "\(code)\t\(item.seq.map(String.init) ?? "-")\t\(Int(now))\t\(JSONWriter.compact(item.enterprise))\n"
            applied.append((code, StoredEnterprise(enterprise: item.enterprise, seq: item.seq, fetchedAt: now, notFound: false)))
        }
        for code in notFound where !code.contains("\t") {
            text += "\(code)\t-\t\(Int(now))\t-\n"
            applied.append((code, StoredEnterprise(enterprise: ["uscc": .string(code)], seq: nil, fetchedAt: now, notFound: true)))
        }
        try appendText(text, to: "enterprises.journal")
        for (code, stored) in applied { remember(code, stored) }
        journalLines += applied.count
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

    /// Appends list items (with their seq) durably and applies them.
    public mutating func append(listItems items: [JSONValue]) throws(CredsyncError) {
        try appendLines(items, to: "serious-illegal.jsonl")
        for item in items { applyList(item) }
    }

    private func appendLines(_ lines: [JSONValue], to name: String) throws(CredsyncError) {
        var text = ""
        for line in lines { text += JSONWriter.compact(line) + "\n" }
        try appendText(text, to: name)
    }

    private func appendText(_ text: String, to name: String) throws(CredsyncError) {
        guard !text.isEmpty else { return }
        let path = directory + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw CredsyncError(.ioError, FileError(operation: "open", path: path, errno: errno).description) }
        defer { close(fd) }
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
        guard journalLines > 2 * max(1000, count) else { return }
        var text = ""
        for code in codes.sorted() {
            guard let stored = enterprise(code) else { continue }
            let json = stored.notFound ? "-" : JSONWriter.compact(stored.enterprise)
            text += "\(code)\t\(stored.seq.map(String.init) ?? "-")\t\(Int(stored.fetchedAt))\t\(json)\n"
        }
        do { try FileSystem.writeAtomically(directory + "/enterprises.journal", text: text, mode: 0o640) } catch {
            throw CredsyncError(.ioError, error.description)
        }
        let fresh = try EnterpriseStore(stateDir: FileSystem.parent(of: directory))
        self = fresh
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
