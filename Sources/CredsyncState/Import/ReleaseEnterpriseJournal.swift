import CredsyncCore

/// The release's enterprise journal, `enterprises/enterprises.journal`: one line per record
/// received, `<uscc>\t<seq or ->\t<fetchedAt>\t<gsxt's JSON, or - when gsxt does not know the code>`.
/// Resolved as the release resolved it on load: the highest seq of a code wins, a later line
/// breaks a tie, and a line without seq (a query's answer) keeps the seq before it. A torn last
/// line (a crash during an append) is ignored, as the release did: the feed's cursor had not moved
/// past it, so the next pull reads it again.
enum ReleaseEnterpriseJournal {
    static let hint =
        "move the enterprises directory aside and run 'credsync pull' after the import: it reads the feeds again "
        + "from the start"

    /// The enterprises of the journal, keyed as the store keys them: by USCC, or, for a code shaped
    /// like a natural person's 身份证号 (a 个体工商户 queried by its operator's number), by
    /// `sha256:<hex>` of the code, so the store never holds the number in clear; records masked.
    static func enterprises(_ file: ImportFile) throws(CredsyncError) -> [EnterpriseRow] {
        var found: [String: EnterpriseRow] = [:]
        var order: [String] = []
        let torn = try file.forEachLine { (line, number) throws(CredsyncError) in
            guard !line.isEmpty else { return }
            let fields = line.split(separator: 0x09, maxSplits: 3, omittingEmptySubsequences: false)
            func text(_ index: Int) -> String { String(decoding: fields[index], as: UTF8.self) }
            guard fields.count == 4, !fields[0].isEmpty, let fetchedAt = Int(text(2)), fetchedAt >= 0,
                text(1) == "-" || Int(text(1)).map({ $0 >= 0 }) == true,
                text(3) == "-" || fields[3].first == UInt8(ascii: "{") && fields[3].last == UInt8(ascii: "}")
            else { throw StateImport.damaged(file, "line \(number) is not an enterprise record", hint: hint) }
            let code = text(0)
            let seq = Int(text(1))
            var row = EnterpriseRow(
                uscc: storedKey(code), record: text(3) == "-" ? nil : PersonalData.mask(text(3)), seq: seq,
                fetchedAt: Double(fetchedAt))
            if let previous = found[code] {
                if let old = previous.seq, let new = seq, old > new { return }  // an older page read again
                if seq == nil { row.seq = previous.seq }
            } else {
                order.append(code)
            }
            found[code] = row
        }
        _ = torn
        return order.compactMap { found[$0] }
    }

    /// The key a code is stored under: itself, or, for a code shaped like a 身份证号 (what
    /// `PersonalData.mask` masks), `sha256:` and the hex SHA-256 of it, as the pull stores it.
    static func storedKey(_ code: String) -> String {
        guard PersonalData.mask(code) != code else { return code }
        return "sha256:" + SHA256.hex(code)
    }

    /// Inserts the resolved rows with the keys and masking above (the rows are new: the store held
    /// no state before the import).
    static func insert(_ rows: [EnterpriseRow], into store: StateStore) throws(CredsyncError) {
        for row in rows {
            try store.database.execute(
                """
                INSERT INTO enterprise (uscc, record, not_found, seq, fetched_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (uscc) DO UPDATE SET record = excluded.record, not_found = excluded.not_found,
                    seq = excluded.seq, fetched_at = excluded.fetched_at
                """,
                [
                    .text(row.uscc), .optional(row.record), .int(row.isNotFound ? 1 : 0), .optional(row.seq),
                    .real(row.fetchedAt),
                ])
        }
    }
}
