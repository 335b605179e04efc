import CredsyncCore

extension Spool {
    /// Why an unreadable queue file does not check out, for `queue show`: the first check it
    /// fails, in the order `decode(bytes:)` makes them. Slow and thorough; never on a hot path.
    public static func problem(in file: Unreadable) -> String {
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(file.path) } catch { return "it cannot be read: \(error.reason)" }
        guard !bytes.isEmpty else { return "it is empty (a write torn before its first byte)" }
        guard let newline = bytes.firstIndex(of: 0x0A) else {
            return "it has no header line (torn, or not a queue file)"
        }
        let header = String(decoding: bytes[..<newline], as: UTF8.self).split(separator: " ")
        guard header.count == 4, header[0] == "credsync-spool" else {
            return "its first line is not a `credsync-spool` header (not a queue file, or overwritten)"
        }
        guard header[1] == "1" || header[1] == "2" else { return "it has an unknown format version \(header[1])" }
        let body = Array(bytes[(newline + 1)...])
        guard let length = Int(header[2]) else { return "its header's length \(header[2]) is not a number" }
        guard body.count == length else {
            return "it holds \(body.count) bytes after the header where the header says \(length) (torn or cut short)"
        }
        guard header[3].count == 64, SHA256.hex(body) == header[3].lowercased() else {
            return "its SHA-256 does not match the header (altered after it was written, or a disk fault)"
        }
        return "its checksum matches but its content is not a queue entry (written by another version?)"
    }

    /// What can still be told of an unreadable file's entry: the fields of its summary line
    /// (id, dataset, key, op) when that line parses as JSON. Never the payload.
    public static func summaryFields(of file: Unreadable) -> [(String, String)] {
        guard let bytes = try? FileSystem.read(file.path), let first = bytes.firstIndex(of: 0x0A) else { return [] }
        let rest = bytes[(first + 1)...]
        let line = rest.firstIndex(of: 0x0A).map { Array(rest[..<$0]) } ?? Array(rest)
        guard let json = try? JSONParser.parse(line) else { return [] }
        return ["dataset", "key", "op", "reason"].compactMap { name in json[name]?.stringValue.map { (name, $0) } }
    }
}
