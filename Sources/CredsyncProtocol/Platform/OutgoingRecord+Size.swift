import CredsyncCore

extension OutgoingRecord {
    /// The length of `JSONWriter.compact(json)`, counted without building or sorting it.
    package var compactCount: Int {
        // Each member: its quoted name, a colon, its value.
        var members = [5 + 1 + JSONWriter.stringCount(key), 4 + 1 + JSONWriter.stringCount(op.rawValue)]
        if let hash { members.append(6 + 1 + JSONWriter.stringCount(hash)) }
        if let payload { members.append(9 + 1 + JSONWriter.compactCount(.object(payload))) }
        if payload == nil, let canonicalPayload { members.append(9 + 1 + canonicalPayload.count) }
        if let reason { members.append(8 + 1 + JSONWriter.stringCount(reason.rawValue)) }
        return members.reduce(1 + members.count, +)
    }
}
