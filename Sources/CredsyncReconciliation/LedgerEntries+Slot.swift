import _CredsyncEngine

extension LedgerEntries {
    /// 32 bytes an entry: a hash in its 64-hex form is held as its 32 bytes (`isRawHash`); a batch
    /// id by its number in `batches` (a batch id is shared by hundreds of entries), with the four
    /// flags in the number's top bits; a version and a time that fit in 32 bits each are held here,
    /// others (`isWide`) as 16 bytes of the arena, at the offset `version` holds.
    struct Slot: ByteKeySlot {
        var key: ArenaSpan
        var hash: ArenaSpan
        var version: UInt32
        var updatedAt: UInt32
        /// The low 32 bits of the key's hash.
        var keyHash: UInt32
        private var batchAndFlags: UInt32

        init(
            key: ArenaSpan, hash: ArenaSpan, batch: Int, times: (version: UInt32, updatedAt: UInt32, isWide: Bool),
            keyHash: UInt32, isPublished: Bool, isRawHash: Bool
        ) {
            self.key = key
            self.hash = hash
            version = times.version
            updatedAt = times.updatedAt
            self.keyHash = keyHash
            batchAndFlags = 0
            self.batch = batch
            self.isPublished = isPublished
            self.isRawHash = isRawHash
            isWide = times.isWide
        }

        private static let flags: UInt32 = 0b1111 << 28

        /// The batch id's number in `batches` (under 2²⁸).
        var batch: Int {
            get { Int(batchAndFlags & ~Self.flags) }
            set { batchAndFlags = batchAndFlags & Self.flags | UInt32(truncatingIfNeeded: newValue) & ~Self.flags }
        }
        var isWide: Bool {
            get { flag(28) }
            set { setFlag(28, newValue) }
        }
        var isPublished: Bool {
            get { flag(29) }
            set { setFlag(29, newValue) }
        }
        var isRemoved: Bool {
            get { flag(30) }
            set { setFlag(30, newValue) }
        }
        var isRawHash: Bool {
            get { flag(31) }
            set { setFlag(31, newValue) }
        }

        private func flag(_ bit: UInt32) -> Bool { batchAndFlags & (1 << bit) != 0 }

        private mutating func setFlag(_ bit: UInt32, _ on: Bool) {
            if on { batchAndFlags |= 1 << bit } else { batchAndFlags &= ~(1 << bit) }
        }
    }
}
