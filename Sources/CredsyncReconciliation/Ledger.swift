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
    public var entries: [String: LedgerEntry]

    public init(platform: PlatformID, dataset: Dataset, entries: [String: LedgerEntry] = [:]) {
        self.platform = platform
        self.dataset = dataset
        self.entries = entries
    }

    public static func path(stateDir: String, platform: PlatformID, dataset: Dataset) -> String {
        "\(stateDir)/ledger/\(platform.rawValue)/\(dataset.rawValue).ledger"
    }

    /// The number of published keys.
    public var publishedCount: Int { entries.values.reduce(0) { $0 + ($1.isPublished ? 1 : 0) } }

    /// Loads the ledger; a missing file is an empty ledger. A file that does not check out throws (exit 74).
    public static func load(stateDir: String, platform: PlatformID, dataset: Dataset) throws(CredsyncError) -> Ledger {
        let file = path(stateDir: stateDir, platform: platform, dataset: dataset)
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(file) } catch {
            if error.isNotFound { return Ledger(platform: platform, dataset: dataset) }
            throw CredsyncError(.ioError, error.description)
        }
        do {
            return Ledger(platform: platform, dataset: dataset, entries: try LedgerCodec.decode(bytes))
        } catch {
            throw CredsyncError(.ioError, "\(file): \(error.reason)",
                hint: "restore it from a backup, or rebuild it from the platform with 'credsync reconcile --platform \(platform.rawValue) --dataset \(dataset.rawValue) --repair'")
        }
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
    static func encode(_ entries: [String: LedgerEntry], platform: PlatformID, dataset: Dataset) -> [UInt8] {
        var out: [UInt8] = Array("credsync-ledger 1 \(platform.rawValue) \(dataset.rawValue)\n".utf8)
        out.reserveCapacity(entries.count * 140)
        // Entries in the dictionary's order: sorting a million keys Unicode-aware costs more than the write.
        for (key, entry) in entries {
            out.append(entry.isPublished ? UInt8(ascii: "P") : UInt8(ascii: "W"))
            out.append(9)
            out.append(contentsOf: String(entry.version).utf8)
            out.append(9)
            out.append(contentsOf: String(entry.updatedAt).utf8)
            out.append(9)
            out.append(contentsOf: entry.hash.utf8)
            out.append(9)
            out.append(contentsOf: entry.batchID.utf8)
            out.append(9)
            for byte in key.utf8 {
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

    static func decode(_ bytes: [UInt8]) throws(LedgerFormatError) -> [String: LedgerEntry] {
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
        let digest = bytes.withUnsafeBytes { SHA256.digest(UnsafeRawBufferPointer(rebasing: $0[0..<trailerStart])) }
        guard Hex.encode(digest) == trailer[2] else { throw LedgerFormatError(reason: "its checksum does not match: the file was altered or damaged") }
        var entries: [String: LedgerEntry] = [:]
        entries.reserveCapacity(count)
        var malformed: Int?
        bytes.withUnsafeBufferPointer { buffer in
            var lineStart = headerEnd + 1
            var line = 2
            var lastBatch: (Range<Int>, String) = (0..<0, "")
            while lineStart < trailerStart {
                var tabs = (0, 0, 0, 0, 0)
                var found = 0
                var j = lineStart
                var escaped = false
                while j < trailerStart && buffer[j] != 0x0A {
                    if buffer[j] == 0x09 && found < 5 {
                        switch found {
                        case 0: tabs.0 = j
                        case 1: tabs.1 = j
                        case 2: tabs.2 = j
                        case 3: tabs.3 = j
                        default: tabs.4 = j
                        }
                        found += 1
                    } else if buffer[j] == 0x5C && found == 5 {
                        escaped = true
                    }
                    j += 1
                }
                guard found == 5, let version = ASCIIDecimal.parse(buffer, tabs.0 + 1, tabs.1), let updatedAt = ASCIIDecimal.parse(buffer, tabs.1 + 1, tabs.2) else {
                    malformed = line
                    return
                }
                let hash = String(decoding: UnsafeBufferPointer(rebasing: buffer[(tabs.2 + 1)..<tabs.3]), as: UTF8.self)
                let batchRange = (tabs.3 + 1)..<tabs.4
                if !buffer[batchRange].elementsEqual(buffer[lastBatch.0]) {
                    lastBatch = (batchRange, String(decoding: UnsafeBufferPointer(rebasing: buffer[batchRange]), as: UTF8.self))
                }
                let keyBytes = UnsafeBufferPointer(rebasing: buffer[(tabs.4 + 1)..<j])
                let key = escaped ? unescape(keyBytes) : String(decoding: keyBytes, as: UTF8.self)
                entries[key] = LedgerEntry(hash: hash, isPublished: buffer[lineStart] == UInt8(ascii: "P"), version: version, updatedAt: updatedAt, batchID: lastBatch.1)
                lineStart = j + 1
                line += 1
            }
        }
        if let malformed { throw LedgerFormatError(reason: "line \(malformed) is malformed") }
        guard entries.count == count else { throw LedgerFormatError(reason: "holds \(entries.count) entries, its end line says \(count)") }
        return entries
    }


    private static func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
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
        return String(decoding: key, as: UTF8.self)
    }
}
