public import CredsyncCore

/// A plan's changes in plan order. A plan's list spills: each change encoded in a `ChangeSpill`,
/// only its place held here (16 bytes a change), so a plan of a million creates stays small, read
/// back one at a time. A list made from changes in hand (tests, small lists) keeps them in memory.
public struct ChangeList: Sendable, Sequence, ExpressibleByArrayLiteral {
    struct Entry: Sendable {
        var place: ChangeSpill.Place
        var line: Int32
        var op: RecordOperation
    }

    private var spill: ChangeSpill?
    private var entries: [Entry] = []
    /// The changes of a list without a spill.
    private var held: [Change] = []
    private var counts = [0, 0, 0]

    /// An empty list that keeps its changes in memory.
    public init() {}

    /// An empty list that spills into `spill`.
    public init(spill: ChangeSpill) { self.spill = spill }

    public init(arrayLiteral changes: Change...) { self.init(changes) }

    public init(_ changes: some Sequence<Change>) {
        self.init()
        for change in changes { append(change) }
    }

    public var count: Int { spill == nil ? held.count : entries.count }
    public var isEmpty: Bool { count == 0 }
    public var underestimatedCount: Int { count }

    public func count(_ op: RecordOperation) -> Int { counts[Self.index(op)] }

    /// Appends `change`, encoded into the spill when the list has one.
    public mutating func append(_ change: Change) {
        if let spill {
            append(spill.append(ChangeCoding.encode(change)), line: change.line, op: change.op)
        } else {
            held.append(change)
            counts[Self.index(change.op)] += 1
        }
    }

    /// Appends a change the mapping threads already wrote into this list's spill.
    mutating func append(_ place: ChangeSpill.Place, line: Int?, op: RecordOperation) {
        entries.append(Entry(place: place, line: Int32(clamping: line ?? -1), op: op))
        counts[Self.index(op)] += 1
    }

    /// Drops the changes of the records at `lines` (rows found to share a key after they were planned).
    mutating func removeAll(lines: Set<Int>) {
        guard !lines.isEmpty else { return }
        entries.removeAll { $0.line >= 0 && lines.contains(Int($0.line)) }
        held.removeAll { $0.line.map(lines.contains) ?? false }
        counts = [0, 0, 0]
        for entry in entries { counts[Self.index(entry.op)] += 1 }
        for change in held { counts[Self.index(change.op)] += 1 }
    }

    /// Throws when the spill could not be written or read: the list is incomplete.
    public func check() throws(CredsyncError) { try spill?.check() }

    public func makeIterator() -> Iterator { Iterator(list: self) }

    public struct Iterator: IteratorProtocol {
        let list: ChangeList
        var position = 0

        public mutating func next() -> Change? {
            guard let spill = list.spill else {
                guard position < list.held.count else { return nil }
                position += 1
                return list.held[position - 1]
            }
            // A read that fails ends the sequence; `check()` then says why.
            guard position < list.entries.count, let bytes = spill.read(list.entries[position].place) else {
                return nil
            }
            position += 1
            guard let change = ChangeCoding.decode(bytes) else {
                spill.fail("change \(position) of \(list.entries.count) does not decode")
                return nil
            }
            return change
        }
    }

    private static func index(_ op: RecordOperation) -> Int {
        switch op {
        case .create: 0
        case .update: 1
        case .withdraw: 2
        }
    }
}
