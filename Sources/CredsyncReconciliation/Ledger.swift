#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import CredsyncCore

/// What credsync knows one platform holds of one dataset: key → entry.
///
/// On disk, `<stateDir>/ledger/<platform>/<dataset>.ledger`, replaced atomically (temporary file,
/// fsync, rename, fsync of the directory): killed at any instant, it holds the old state or the new.
/// The format is text, one entry a line, and checks itself:
///
///     credsync-ledger 1 <platform> <dataset>
///     <P|W>\t<version>\t<updatedAt>\t<hash>\t<batchId>\t<key>      (P published, W withdrawn)
///     …
///     end <entries> <sha256 of every byte before this line>
///
/// In keys, `\`, tab, LF and CR are written `\\`, `\t`, `\n`, `\r`.
public struct Ledger: Sendable {
    public let platform: PlatformID
    public let dataset: Dataset
    public var entries: LedgerEntries

    public init(platform: PlatformID, dataset: Dataset, entries: LedgerEntries = [:]) {
        self.platform = platform
        self.dataset = dataset
        self.entries = entries
    }

    public static func path(stateDir: String, platform: PlatformID, dataset: Dataset) -> String {
        "\(stateDir)/ledger/\(platform.rawValue)/\(dataset.rawValue).ledger"
    }

    /// The number of published keys.
    public var publishedCount: Int { entries.publishedCount }

    /// What the state directory holds for one ledger.
    public enum Stored: Sendable {
        /// A ledger that checks out (an empty one when there is no file).
        case ledger(Ledger)
        /// A file that does not check out: cut short, altered, garbled or empty.
        case damaged(file: String, reason: String)
    }

    /// Reads the ledger; a missing file is an empty ledger, a file that does not check out is
    /// `damaged`. A file that cannot be read throws (exit 74).
    public static func read(
        stateDir: String, platform: PlatformID, dataset: Dataset
    ) throws(CredsyncError) -> Stored {
        let file = path(stateDir: stateDir, platform: platform, dataset: dataset)
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(file) } catch {
            if error.isNotFound { return .ledger(Ledger(platform: platform, dataset: dataset)) }
            throw CredsyncError(.ioError, error.description)
        }
        do {
            return .ledger(Ledger(platform: platform, dataset: dataset, entries: try LedgerCodec.decode(bytes)))
        } catch {
            return .damaged(file: file, reason: error.reason)
        }
    }

    /// Loads the ledger; a missing file is an empty ledger. A file that does not check out throws
    /// (exit 74) with the command that rebuilds it.
    public static func load(stateDir: String, platform: PlatformID, dataset: Dataset) throws(CredsyncError) -> Ledger {
        switch try read(stateDir: stateDir, platform: platform, dataset: dataset) {
        case .ledger(let ledger): return ledger
        case .damaged(let file, let reason):
            throw damage(file: file, reason: reason, platform: platform, dataset: dataset)
        }
    }

    /// The error a damaged ledger ends a run with: the file, why, and the command that rebuilds it.
    public static func damage(file: String, reason: String, platform: PlatformID, dataset: Dataset) -> CredsyncError {
        CredsyncError(.ioError, "\(file): \(reason)", hint: "rebuild it from the platform with "
            + "'credsync reconcile --platform \(platform.rawValue) --dataset \(dataset.rawValue) --repair' "
            + "(the damaged file is kept beside it), or restore it from a backup")
    }

    /// Moves a damaged ledger file aside, as `<file>.damaged-<UTC time>`, for inspection; returns
    /// the new path. The rename is atomic: the file is either in place or aside, never lost.
    public static func setAside(_ file: String, now: Double = Timestamp.now()) throws(CredsyncError) -> String {
        let stamp = Timestamp.rfc3339(now).replacingAll("-", with: "").replacingAll(":", with: "")
        var target = "\(file).damaged-\(stamp)"
        var suffix = 1
        while FileSystem.exists(target) {
            suffix += 1
            target = "\(file).damaged-\(stamp)-\(suffix)"
        }
        do throws(FileError) {
            guard rename(file, target) == 0 else { throw FileError(operation: "move aside", path: file, errno: errno) }
            try FileSystem.syncDirectory(of: target)
        } catch {
            throw CredsyncError(.ioError, error.description)
        }
        return target
    }

    /// Writes the ledger atomically.
    public func save(stateDir: String) throws(CredsyncError) {
        let file = Self.path(stateDir: stateDir, platform: platform, dataset: dataset)
        do {
            try FileSystem.createDirectory(FileSystem.parent(of: file))
            try FileSystem.writeAtomically(file, LedgerCodec.encode(entries, platform: platform, dataset: dataset), mode: 0o640)
        } catch {
            throw CredsyncError(.ioError, error.description, hint: error.isNoSpace ? "free space on the state directory's file system" : nil)
        }
    }
}

/// Why a ledger file does not check out.
public struct LedgerFormatError: Error, Sendable {
    public var reason: String
}

/// The ledger's text form.
enum LedgerCodec {
    static func encode(_ entries: LedgerEntries, platform: PlatformID, dataset: Dataset) -> [UInt8] {
        var out: [UInt8] = Array("credsync-ledger 1 \(platform.rawValue) \(dataset.rawValue)\n".utf8)
        out.reserveCapacity(entries.count * 140)
        // Entries in the order they were first set: sorting a million keys costs more than the write.
        entries.forEachSlot { bytes, slot in
            out.append(slot.isPublished ? UInt8(ascii: "P") : UInt8(ascii: "W"))
            out.append(9)
            out.append(contentsOf: String(slot.version).utf8)
            out.append(9)
            out.append(contentsOf: String(slot.updatedAt).utf8)
            out.append(9)
            out.append(contentsOf: bytes[slot.hash.start..<(slot.hash.start + slot.hash.count)])
            out.append(9)
            out.append(contentsOf: bytes[slot.batch.start..<(slot.batch.start + slot.batch.count)])
            out.append(9)
            for byte in bytes[slot.key.start..<(slot.key.start + slot.key.count)] {
                switch byte {
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                default: out.append(byte)
                }
            }
            out.append(0x0A)
        }
        let digest = SHA256.hex(out)
        out.append(contentsOf: "end \(entries.count) \(digest)\n".utf8)
        return out
    }

    /// The entries of a ledger file. The file's bytes become the entries' arena: no string is made
    /// per entry. The checksum is computed on a second thread while the lines are read.
    static func decode(_ bytes: [UInt8]) throws(LedgerFormatError) -> LedgerEntries {
        guard !bytes.isEmpty else { throw LedgerFormatError(reason: "the file is empty") }
        guard let headerEnd = bytes.firstIndex(of: 0x0A), bytes.starts(with: Array("credsync-ledger 1 ".utf8)) else {
            throw LedgerFormatError(reason: "not a credsync ledger (version 1)")
        }
        // The trailer is the last line.
        guard bytes.last == 0x0A, let trailerStart = bytes.dropLast().lastIndex(of: 0x0A).map({ $0 + 1 }), trailerStart > headerEnd else {
            throw LedgerFormatError(reason: "the file is cut short: no end line")
        }
        let trailer = String(decoding: bytes[trailerStart..<(bytes.count - 1)], as: UTF8.self).split(separator: " ")
        guard trailer.count == 3, trailer[0] == "end", let count = Int(trailer[1]) else {
            throw LedgerFormatError(reason: "the file is cut short: no end line")
        }
        let digest = Mutex("")
        let checking = runOnThreads(1) { _ in
            let hex = bytes.withUnsafeBytes { Hex.encode(SHA256.digest(UnsafeRawBufferPointer(rebasing: $0[0..<trailerStart]))) }
            digest.withLock { $0 = hex }
        }
        var slots: [LedgerEntries.Slot] = []
        slots.reserveCapacity(count)
        var escapedKeys: [(slot: Int, key: [UInt8])] = []
        let malformed = bytes.withUnsafeBufferPointer { buffer in
            parseLines(buffer, from: headerEnd + 1, to: trailerStart, into: &slots, escapedKeys: &escapedKeys)
        }
        checking.wait()
        guard digest.withLock({ $0 }) == trailer[2] else { throw LedgerFormatError(reason: "its checksum does not match: the file was altered or damaged") }
        if let malformed { throw LedgerFormatError(reason: "line \(malformed) is malformed") }
        var arena = bytes
        for (number, key) in escapedKeys {
            slots[number].key = LedgerEntries.Span(start: arena.count, count: key.count)
            slots[number].hashValue = key.withUnsafeBufferPointer { ByteKeyTable.hash($0) }
            arena.append(contentsOf: key)
        }
        let entries = try LedgerEntries(arena: arena, slots: slots)
        guard entries.count == count else { throw LedgerFormatError(reason: "holds \(entries.count) entries, its end line says \(count)") }
        return entries
    }

    /// Reads the entry lines of `buffer[from..<to]` into slots; returns the number of the first
    /// malformed line, or nil.
    private static func parseLines(
        _ buffer: UnsafeBufferPointer<UInt8>, from: Int, to end: Int, into slots: inout [LedgerEntries.Slot], escapedKeys: inout [(slot: Int, key: [UInt8])]
    ) -> Int? {
        guard let base = buffer.baseAddress else { return nil }
        var lineStart = from
        var line = 2
        var lastBatch = LedgerEntries.Span(start: 0, count: 0)
        while lineStart < end {
            let lineEnd = memchr(base + lineStart, 0x0A, end - lineStart).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? end
            var tabs = (0, 0, 0, 0, 0)
            var cursor = lineStart
            for field in 0..<5 {
                guard let tab = memchr(base + cursor, 0x09, lineEnd - cursor) else { return line }
                cursor = UnsafePointer(tab.assumingMemoryBound(to: UInt8.self)) - base
                switch field {
                case 0: tabs.0 = cursor
                case 1: tabs.1 = cursor
                case 2: tabs.2 = cursor
                case 3: tabs.3 = cursor
                default: tabs.4 = cursor
                }
                cursor += 1
            }
            let status = buffer[lineStart]
            guard tabs.0 == lineStart + 1, status == UInt8(ascii: "P") || status == UInt8(ascii: "W"),
                let version = ASCIIDecimal.parse(buffer, tabs.0 + 1, tabs.1), let updatedAt = ASCIIDecimal.parse(buffer, tabs.1 + 1, tabs.2)
            else { return line }
            let batch = LedgerEntries.Span(start: tabs.3 + 1, count: tabs.4 - tabs.3 - 1)
            if batch.count != lastBatch.count || memcmp(base + batch.start, base + lastBatch.start, batch.count) != 0 { lastBatch = batch }
            let key = LedgerEntries.Span(start: tabs.4 + 1, count: lineEnd - tabs.4 - 1)
            let keyBytes = UnsafeBufferPointer(rebasing: buffer[key.start..<lineEnd])
            if memchr(base + key.start, 0x5C, key.count) != nil { escapedKeys.append((slots.count, unescape(keyBytes))) }
            slots.append(LedgerEntries.Slot(
                key: key, hash: LedgerEntries.Span(start: tabs.2 + 1, count: tabs.3 - tabs.2 - 1), batch: lastBatch,
                version: version, updatedAt: updatedAt, hashValue: ByteKeyTable.hash(keyBytes), isPublished: status == UInt8(ascii: "P")))
            lineStart = lineEnd + 1
            line += 1
        }
        return nil
    }

    private static func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var key: [UInt8] = []
        var escaped = false
        for byte in bytes {
            if escaped {
                switch byte {
                case UInt8(ascii: "t"): key.append(9)
                case UInt8(ascii: "n"): key.append(10)
                case UInt8(ascii: "r"): key.append(13)
                default: key.append(byte)
                }
                escaped = false
            } else if byte == 0x5C {
                escaped = true
            } else {
                key.append(byte)
            }
        }
        return key
    }
}
