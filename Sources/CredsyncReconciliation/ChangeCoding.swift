import CredsyncCore

/// A change as bytes in a `ChangeSpill`: a flags byte, then the fields present, strings and the
/// payload length-prefixed. Only this process reads what it wrote.
enum ChangeCoding {
    private enum Flag: UInt8 {
        case hash = 1, previousHash = 2, line = 4, payload = 8, deadline = 16, unknownDeadline = 32
    }

    static func encode(_ change: Change) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + (change.payloadJSON?.count ?? 0))
        var flags: UInt8 = 0
        if change.hash != nil { flags |= Flag.hash.rawValue }
        if change.previousHash != nil { flags |= Flag.previousHash.rawValue }
        if change.line != nil { flags |= Flag.line.rawValue }
        if change.payloadJSON != nil { flags |= Flag.payload.rawValue }
        if change.deadline != nil { flags |= Flag.deadline.rawValue }
        if change.unknownDeadline != nil { flags |= Flag.unknownDeadline.rawValue }
        out.append(opCode(change.op))
        out.append(flags)
        put(change.key, &out)
        put(change.reason.rawValue, &out)
        if let hash = change.hash { put(hash, &out) }
        if let previous = change.previousHash { put(previous, &out) }
        if let line = change.line { put(Int64(line), &out) }
        if let deadline = change.deadline {
            out.append(kindCode(deadline.kind))
            put(Int64(deadline.due.year * 10000 + deadline.due.month * 100 + deadline.due.day), &out)
        }
        if let unknown = change.unknownDeadline {
            out.append(kindCode(unknown.kind))
            put(unknown.problem, &out)
            put(Int64(unknown.missingYear), &out)
        }
        if let payload = change.payloadJSON { put(payload, &out) }
        return out
    }

    static func decode(_ bytes: [UInt8]) -> Change? {
        var reader = Reader(bytes: bytes)
        guard let op = reader.byte().flatMap(operation), let flags = reader.byte(),
            let key = reader.string(), let reason = reader.string()
        else { return nil }
        func has(_ flag: Flag) -> Bool { flags & flag.rawValue != 0 }
        var change = Change(key: key, op: op, reason: ChangeReason(rawValue: reason))
        if has(.hash) { change.hash = reader.string() }
        if has(.previousHash) { change.previousHash = reader.string() }
        if has(.line) { change.line = reader.integer().map(Int.init) }
        if has(.deadline) {
            guard let kind = reader.byte().flatMap(kind), let value = reader.integer().map(Int.init),
                let due = LocalDate(year: value / 10000, month: value / 100 % 100, day: value % 100)
            else { return nil }
            change.deadline = Deadline(key: key, kind: kind, due: due)
        }
        if has(.unknownDeadline) {
            guard let kind = reader.byte().flatMap(kind), let problem = reader.string(), let year = reader.integer()
            else { return nil }
            change.unknownDeadline = UnknownDeadline(key: key, kind: kind, problem: problem, missingYear: Int(year))
        }
        if has(.payload) {
            guard let payload = reader.bytes() else { return nil }
            change.payloadJSON = payload
        }
        return change
    }

    private static func opCode(_ op: RecordOperation) -> UInt8 {
        switch op {
        case .create: 0
        case .update: 1
        case .withdraw: 2
        }
    }

    private static func operation(_ code: UInt8) -> RecordOperation? {
        switch code {
        case 0: .create
        case 1: .update
        case 2: .withdraw
        default: nil
        }
    }

    private static func kindCode(_ kind: Deadline.Kind) -> UInt8 { kind == .publication ? 0 : 1 }

    private static func kind(_ code: UInt8) -> Deadline.Kind? {
        code == 0 ? .publication : code == 1 ? .withdrawal : nil
    }

    private static func put(_ text: String, _ out: inout [UInt8]) {
        var text = text
        text.withUTF8 { put(Array($0), &out) }
    }

    private static func put(_ bytes: [UInt8], _ out: inout [UInt8]) {
        put(Int64(bytes.count), &out)
        out.append(contentsOf: bytes)
    }

    private static func put(_ value: Int64, _ out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private struct Reader {
        let data: [UInt8]
        var at = 0

        init(bytes: [UInt8]) { data = bytes }

        mutating func byte() -> UInt8? {
            guard at < data.count else { return nil }
            at += 1
            return data[at - 1]
        }

        mutating func integer() -> Int64? {
            guard at + 8 <= data.count else { return nil }
            var value: Int64 = 0
            for i in (0..<8).reversed() { value = value << 8 | Int64(data[at + i]) }
            at += 8
            return value
        }

        mutating func bytes() -> [UInt8]? {
            guard let count = integer(), count >= 0, at + Int(count) <= data.count else { return nil }
            defer { at += Int(count) }
            return Array(data[at..<(at + Int(count))])
        }

        mutating func string() -> String? { bytes().map { String(decoding: $0, as: UTF8.self) } }
    }
}
