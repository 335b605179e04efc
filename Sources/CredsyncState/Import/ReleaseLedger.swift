import CredsyncCore

/// The release's ledger file, `ledger/<platform>/<dataset>.ledger`, read as the release read it:
///
///     credsync-ledger 1 <platform> <dataset>
///     <P|W>\t<version>\t<updatedAt>\t<hash>\t<batchId>\t<key>      (P published, W withdrawn)
///     …
///     end <entries> <sha256 of every byte before this line>
///
/// In keys, `\`, tab, LF and CR are written `\\`, `\t`, `\n`, `\r`. A file that does not check out
/// (cut short, altered, a key twice) is refused whole: nothing of it is imported.
enum ReleaseLedger {
    /// The rows of a ledger file, in file order.
    static func rows(
        _ file: ImportFile, platform: PlatformID, dataset: Dataset
    ) throws(CredsyncError) -> [LedgerRow] {
        let bytes = try file.read()
        do {
            return try decode(bytes, platform: platform, dataset: dataset)
        } catch {
            throw StateImport.damaged(
                file, error.reason,
                hint: "rebuild it with the release's 'credsync reconcile --platform \(platform.rawValue) --dataset "
                    + "\(dataset.rawValue) --repair' before upgrading, or move it aside (e.g. to "
                    + "\(file.relative).damaged) and run that reconcile --repair after the import")
        }
    }

    struct Problem: Error {
        var reason: String
    }

    static func decode(_ bytes: [UInt8], platform: PlatformID, dataset: Dataset) throws(Problem) -> [LedgerRow] {
        guard !bytes.isEmpty else { throw Problem(reason: "the file is empty") }
        let header = Array("credsync-ledger 1 ".utf8)
        guard bytes.starts(with: header), let headerEnd = bytes.firstIndex(of: 0x0A) else {
            throw Problem(reason: "not a credsync ledger (version 1)")
        }
        let named = String(decoding: bytes[header.count..<headerEnd], as: UTF8.self)
        guard named == "\(platform.rawValue) \(dataset.rawValue)" else {
            throw Problem(reason: "its header names \(named), not \(platform.rawValue) \(dataset.rawValue)")
        }
        guard bytes.last == 0x0A, let trailerStart = bytes.dropLast().lastIndex(of: 0x0A).map({ $0 + 1 }),
            trailerStart > headerEnd
        else { throw Problem(reason: "the file is cut short: no end line") }
        let trailer = String(decoding: bytes[trailerStart..<(bytes.count - 1)], as: UTF8.self).split(separator: " ")
        guard trailer.count == 3, trailer[0] == "end", let count = Int(trailer[1]) else {
            throw Problem(reason: "the file is cut short: no end line")
        }
        guard SHA256.hex(Array(bytes[..<trailerStart])) == trailer[2] else {
            throw Problem(reason: "its checksum does not match: the file was altered or damaged")
        }
        var rows: [LedgerRow] = []
        rows.reserveCapacity(count)
        var seen = Set<String>()
        var number = 1
        for line in bytes[(headerEnd + 1)..<trailerStart].split(separator: 0x0A, omittingEmptySubsequences: false)
            .dropLast()
        {
            number += 1
            let fields = line.split(separator: 0x09, maxSplits: 5, omittingEmptySubsequences: false)
            guard fields.count == 6, fields[0].count == 1, let status = status(fields[0].first),
                let version = Int(String(decoding: fields[1], as: UTF8.self)), version >= 0,
                let updatedAt = Int(String(decoding: fields[2], as: UTF8.self)), updatedAt >= 0
            else { throw Problem(reason: "line \(number) is malformed") }
            let key = unescape(fields[5])
            guard seen.insert(key).inserted else { throw Problem(reason: "holds a key more than once") }
            // The release kept one time a key: the import takes it as both creation and change.
            rows.append(
                LedgerRow(
                    key: key, status: status, version: version, hash: String(decoding: fields[3], as: UTF8.self),
                    batch: String(decoding: fields[4], as: UTF8.self), createdAt: updatedAt, updatedAt: updatedAt))
        }
        guard rows.count == count else {
            throw Problem(reason: "holds \(rows.count) entries, its end line says \(count)")
        }
        return rows
    }

    private static func status(_ byte: UInt8?) -> LedgerStatus? {
        switch byte {
        case UInt8(ascii: "P"): .published
        case UInt8(ascii: "W"): .withdrawn
        default: nil
        }
    }

    private static func unescape(_ bytes: ArraySlice<UInt8>) -> String {
        guard bytes.contains(0x5C) else { return String(decoding: bytes, as: UTF8.self) }
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
