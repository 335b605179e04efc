#if canImport(Glibc)
import Glibc
#endif
import CredsyncCore
import Foundation

/// The queues of one state directory: `<stateDir>/queue/<platform>/<state>/<id>`.
///
/// An entry file is written under a temporary name in the platform's `tmp` directory, fsynced,
/// renamed into place and the directory fsynced. It checks itself:
///
///     credsync-spool 2 <length> <sha256>      the length and SHA-256 of every byte after this line
///     {"id":…,"key":…,"errors":[…]}           the entry without its payload (compact JSON, one line)
///     {"XK_XDR_MC":…}                          the payload (compact JSON, or null)
///
/// so a torn or altered file is detected, moved to `corrupt` and reported, never half-read; a
/// listing parses the summary line only. Format 1 (one JSON object with the payload inside) is
/// still read. Moving between states is a rename.
public struct Spool: Sendable {
    public let root: String

    public init(stateDir: String) {
        root = stateDir + "/queue"
    }

    func directory(_ platform: PlatformID, _ state: SpoolState) -> String { "\(root)/\(platform.rawValue)/\(state.rawValue)" }

    /// A new entry id: sortable by time, unique.
    public static func newID(now: Double = Timestamp.now()) -> String {
        let stamp = Timestamp.rfc3339(now).replacingAll("-", with: "").replacingAll(":", with: "").replacingAll("Z", with: "")
        return stamp + "-" + Hex.encode(SecureRandom.bytes(4))
    }

    /// Writes `entry` into `state`, atomically, replacing an entry with the same id there.
    public func write(_ entry: SpoolEntry, to state: SpoolState) throws(CredsyncError) {
        let directory = directory(entry.platform, state)
        var body = Array(JSONWriter.compact(entry.summaryJSON).utf8)
        body.append(0x0A)
        body += entry.payloadJSON
        let bytes = Array("credsync-spool 2 \(body.count) \(SHA256.hex(body))\n".utf8) + body
        do {
            try FileSystem.createDirectory(directory)
            try FileSystem.writeAtomically(directory + "/" + entry.id, bytes, mode: 0o640)
        } catch {
            throw CredsyncError(.ioError, "queue: \(error.description)", hint: error.isNoSpace ? "free space on the state directory's file system; the queue is intact" : nil)
        }
    }

    /// Moves an entry between states (a rename, then the directories fsynced).
    public func move(_ entry: SpoolEntry, from: SpoolState, to: SpoolState) throws(CredsyncError) {
        let source = directory(entry.platform, from) + "/" + entry.id
        let target = directory(entry.platform, to)
        do throws(FileError) {
            try FileSystem.createDirectory(target)
            guard rename(source, target + "/" + entry.id) == 0 else { throw FileError(operation: "move to \(to.rawValue)", path: source, errno: errno) }
            try FileSystem.syncDirectory(of: target + "/" + entry.id)
            try FileSystem.syncDirectory(of: source)
        } catch {
            throw CredsyncError(.ioError, "queue: \(error.description)")
        }
    }

    /// Deletes an entry.
    public func remove(_ entry: SpoolEntry, from state: SpoolState) throws(CredsyncError) {
        let file = directory(entry.platform, state) + "/" + entry.id
        if unlink(file) != 0 && errno != ENOENT {
            throw CredsyncError(.ioError, "queue: \(FileError(operation: "delete", path: file, errno: errno).description)")
        }
        try? FileSystem.syncDirectory(of: file)
    }

    /// An entry found on disk with the state it is in.
    public struct Located: Sendable {
        public var entry: SpoolEntry
        public var state: SpoolState
    }

    /// A queue file that does not check out: it is never half-read, only shown and dropped.
    public struct Unreadable: Sendable, Equatable {
        public var platform: PlatformID
        /// Its file name, which is the entry's id.
        public var id: String
        public var path: String
    }

    /// Every readable entry, and the files that do not check out. With `quarantine` (commands
    /// that hold the run lock) those are moved to `corrupt`; without (commands that only read)
    /// nothing on disk is touched and they are reported where they lie.
    public func entries(
        platforms: [PlatformID] = PlatformID.allCases, quarantine: Bool = true
    ) -> (entries: [Located], corrupted: [Unreadable]) {
        var files: [(PlatformID, SpoolState, String)] = []
        var corrupted: [Unreadable] = []
        for platform in platforms {
            for state in SpoolState.allCases {
                let directory = directory(platform, state)
                guard let names = try? FileSystem.list(directory) else { continue }
                for name in names where !name.contains(".tmp-") {
                    if state == .corrupt {
                        corrupted.append(Unreadable(platform: platform, id: name, path: directory + "/" + name))
                    } else {
                        files.append((platform, state, name))
                    }
                }
            }
        }
        // Entry ids are their file names and sort by time: sorting the names sorts the entries.
        files.sort { $0.2 < $1.2 }
        // One open descriptor per directory; each file is opened relative to it.
        var descriptors: [String: Int32] = [:]
        for (platform, state, _) in files where descriptors["\(platform.rawValue)/\(state.rawValue)"] == nil {
            descriptors["\(platform.rawValue)/\(state.rawValue)"] = open(directory(platform, state), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        defer { for fd in descriptors.values where fd >= 0 { close(fd) } }
        let locations = files.map { (descriptors["\($0.0.rawValue)/\($0.1.rawValue)"] ?? -1, $0.2) }
        let states = files.map(\.1)
        // Reading and checking files is most of the work: spread it over the cores.
        let results = parallelMap(count: files.count) { i in
            (try? FileSystem.read(name: locations[i].1, in: locations[i].0)).flatMap(Self.decode(bytes:)).map { Located(entry: $0, state: states[i]) }
        }
        var found: [Located] = []
        found.reserveCapacity(files.count)
        for (i, (platform, state, name)) in files.enumerated() {
            if let located = results[i] {
                found.append(located)
            } else if quarantine {
                let target = directory(platform, .corrupt)
                try? FileSystem.createDirectory(target)
                _ = rename(directory(platform, state) + "/" + name, target + "/" + name)
                corrupted.append(Unreadable(platform: platform, id: name, path: target + "/" + name))
            } else {
                let path = directory(platform, state) + "/" + name
                corrupted.append(Unreadable(platform: platform, id: name, path: path))
            }
        }
        return (found, corrupted.sorted { $0.id < $1.id })
    }

    /// Deletes an unreadable file.
    public func remove(_ file: Unreadable) throws(CredsyncError) {
        if unlink(file.path) != 0 && errno != ENOENT {
            let error = FileError(operation: "delete", path: file.path, errno: errno)
            throw CredsyncError(.ioError, "queue: \(error.description)")
        }
        try? FileSystem.syncDirectory(of: file.path)
    }

    /// The entry in `file`, or nil when it does not check out.
    static func decode(_ file: String) -> SpoolEntry? {
        (try? FileSystem.read(file)).flatMap(decode(bytes:))
    }

    /// The entry in a file's bytes, or nil when they do not check out.
    static func decode(bytes: [UInt8]) -> SpoolEntry? {
        bytes.withUnsafeBufferPointer { buffer -> SpoolEntry? in
            let prefix = "credsync-spool ".utf8
            guard buffer.count > 17, buffer.starts(with: prefix), buffer[16] == 0x20, let newline = buffer.firstIndex(of: 0x0A) else { return nil }
            let version = buffer[15]
            guard version == UInt8(ascii: "1") || version == UInt8(ascii: "2") else { return nil }
            let lengthStart = 17
            guard let space = buffer[lengthStart..<newline].firstIndex(of: 0x20),
                let length = ASCIIDecimal.parse(buffer, lengthStart, space), newline - space - 1 == 64
            else { return nil }
            let body = UnsafeBufferPointer(rebasing: buffer[(newline + 1)...])
            guard body.count == length else { return nil }
            let digest = SHA256.digest(UnsafeRawBufferPointer(body))
            guard Hex.matches(digest, UnsafeBufferPointer(rebasing: buffer[(space + 1)..<newline])) else { return nil }
            if version == UInt8(ascii: "1") { return (try? JSONParser.parse(body)).flatMap { SpoolEntry(json: $0) } }
            guard let split = body.firstIndex(of: 0x0A), let summary = try? JSONParser.parse(UnsafeBufferPointer(rebasing: body[..<split])) else { return nil }
            let payload = Array(body[(split + 1)...])
            guard payload.first == UInt8(ascii: "{") && payload.last == UInt8(ascii: "}") || payload.elementsEqual("null".utf8) else { return nil }
            return SpoolEntry(json: summary, payload: payload)
        }
    }
}
