import CredsyncCatalogs
import CredsyncCore
import Foundation
import CredsyncFormats
import _CredsyncEngine

/// One chunk of an export's rows as the mapping threads hand it to `ExportMapping.fold`: each
/// row's entry, the valid records' notes, and their keys' bytes in
/// one buffer with each key's hash. The collecting thread reads plain entries and frees one buffer
/// a chunk, never a string a record.
struct MappedChunk<Note: Sendable>: Sendable {
    var rows: [ChunkRow] = []
    var notes: [Note] = []
    var keyBytes: [UInt8] = []

    init(rows count: Int) {
        rows.reserveCapacity(count)
        notes.reserveCapacity(count)
        keyBytes.reserveCapacity(count * 24)
    }

    /// Adds a valid record: its key and note.
    mutating func add(_ record: MappedRecord, note: Note) {
        var text = record.key
        let start = keyBytes.count
        let hash = text.withUTF8 { bytes in
            keyBytes.append(contentsOf: bytes)
            return ByteKeyTable.hash(bytes)
        }
        let key = ChunkRow.Key(start: start, count: keyBytes.count - start, hash: hash)
        rows.append(.record(line: record.line, key: key))
        notes.append(note)
    }
}

/// What one row of a chunk is.
enum ChunkRow: Sendable {
    /// A valid record's key: a range of the chunk's `keyBytes`, and its hash.
    struct Key: Sendable {
        var start: Int
        var count: Int
        var hash: Int
    }

    indirect case unreadable(RowProblem)
    indirect case excluded(Int, String?, String)
    indirect case setAside(SetAside)
    case record(line: Int, key: Key)
}
