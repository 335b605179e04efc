public import CredsyncCore
import CredsyncReconciliation
public import CredsyncExchange
public import CredsyncFormats
public import CredsyncState
public import CredsyncProtocol

/// A failed receipt, reported like a rejection: the record, the platform's codes and messages.
public struct ReceiptFailure: Sendable {
    public var platform: PlatformID
    public var dataset: Dataset
    public var key: String
    public var version: Int
    public var batchID: String
    public var errors: [FieldError]
    /// For `E_SUBJECT_UNMATCHED`: what the enterprise store says of the subject ("registered name
    /// is …"), from the payload accepted for the version; nil without one.
    public var subject: String?
}

/// Pending, failed and published counts of a platform's dataset (the newest version of each key).
public struct ReceiptTally: Sendable, Equatable {
    public var platform: PlatformID
    public var dataset: Dataset
    public var pending: Int
    public var failed: Int
    public var published: Int
}

/// The receipts feeds of the receipts platforms (exchange-api.md 1.1, "Receipts"), read at the
/// start of `sync` and `pull`: each page recorded, and the cursor moved, in one transaction, so a
/// run killed between pages reads at most one page again (at-least-once; highest seq wins).
struct ReceiptFeed {
    let config: Config
    let store: StateStore
    let logger: Logger

    struct Result {
        var read = 0
        var failures: [ReceiptFailure] = []
        var problems: [(PlatformID, String)] = []
        var unavailable: Set<PlatformID> = []
        var authenticationFailures: [AuthenticationFailure] = []
    }

    /// The receipts platforms among `platforms` (all when empty) reached by API; a 前置机's receipts
    /// come with its answers (the file channel).
    func platforms(_ platforms: [PlatformID]) -> [PlatformConfig] {
        config.platforms.filter {
            $0.publication == .receipts && $0.channel == nil && (platforms.isEmpty || platforms.contains($0.id))
        }
    }

    /// Reads every feed to its end. A platform's failure is reported and the run goes on; only
    /// trouble with the state store throws (exit 74).
    func read(platforms ids: [PlatformID]) async throws(CredsyncError) -> Result {
        var result = Result()
        for platform in platforms(ids) {
            let client = PlatformClient(
                config: platform, source: config.organisation.uscc, retry: config.retry, logger: logger)
            for dataset in platform.datasets {
                if let failure = try await read(dataset, of: platform.id, client: client, into: &result) {
                    let message =
                        "\(platform.id.rawValue) \(dataset.rawValue): the receipts could not be read "
                        + "(\(failure.description)); pending records stay pending until the next run"
                    logger.error(message, [("platform", platform.id.rawValue), ("dataset", dataset.rawValue)])
                    result.problems.append((platform.id, message))
                    if failure.isAuthenticationFailure {
                        result.authenticationFailures.append(
                            AuthenticationFailure(platform: platform.id, dataset: dataset, failure: failure))
                    } else if failure.failureClass == .transient {
                        result.unavailable.insert(platform.id)
                    }
                    break
                }
            }
        }
        return result
    }

    /// One dataset's feed from the saved cursor to its end; the failure that stopped it, if any.
    private func read(
        _ dataset: Dataset, of platform: PlatformID, client: PlatformClient, into result: inout Result
    ) async throws(CredsyncError) -> ExchangeFailure? {
        var cursor = try store.receiptCursor(platform: platform, dataset: dataset)
        var restarted = false
        while true {
            switch await client.receipts(dataset, cursor: cursor) {
            case .failure(let failure):
                // An expired or unknown cursor: read again from the beginning, once.
                guard failure.code == "BAD_CURSOR", cursor != nil, !restarted else { return failure }
                logger.warning(
                    "receipts cursor refused: reading again from the start",
                    [
                        ("platform", platform.rawValue), ("dataset", dataset.rawValue),
                    ])
                restarted = true
                cursor = nil
                try store.setReceiptCursor(nil, platform: platform, dataset: dataset, at: Timestamp.now())
            case .success(let page):
                let failures = try record(page, dataset: dataset, platform: platform)
                result.read += page.receipts.count
                result.failures += failures
                guard page.hasMore, let next = page.nextCursor, next != cursor else { return nil }
                cursor = next
            }
        }
    }

    /// One page's receipts and the cursor after it, in one transaction.
    func record(
        _ page: ReceiptPage, dataset: Dataset, platform: PlatformID
    ) throws(CredsyncError) -> [ReceiptFailure] {
        let now = Timestamp.now()
        var failures: [ReceiptFailure] = []
        try store.transaction { () throws(CredsyncError) in
            failures = []
            for receipt in page.receipts {
                // Read before the receipt is applied: a failure removes the accepted payload.
                let subject =
                    receipt.status == .failed ? try subjectNote(receipt, platform: platform, dataset: dataset) : nil
                let effect = try store.applyReceipt(Self.row(receipt), platform: platform, dataset: dataset, now: now)
                guard case .failed = effect else { continue }
                failures.append(
                    ReceiptFailure(
                        platform: platform, dataset: dataset, key: receipt.key, version: receipt.version,
                        batchID: receipt.batchID, errors: receipt.errors, subject: subject))
            }
            if let next = page.nextCursor {
                try store.setReceiptCursor(next, platform: platform, dataset: dataset, at: now)
            }
        }
        for failure in failures {
            logger.warning(
                "publication failed on \(platform.rawValue)",
                [
                    ("dataset", dataset.rawValue), ("key", failure.key), ("version", failure.version),
                    ("errors", failure.errors.map(\.description).joined(separator: "; ")),
                ])
        }
        return failures
    }

    /// `E_SUBJECT_UNMATCHED` cross-checked against the enterprise store: the subject's code from the
    /// accepted payload's field the error names, and what gsxt's feed said of it.
    private func subjectNote(
        _ receipt: Receipt, platform: PlatformID, dataset: Dataset
    ) throws(CredsyncError) -> String? {
        guard let field = receipt.errors.first(where: { $0.code == "E_SUBJECT_UNMATCHED" })?.field,
            let payload = try SentPayloads.payload(of: receipt.key, in: store, platform: platform, dataset: dataset),
            let code = payload[field]?.stringValue, !code.isEmpty
        else { return nil }
        let shown = PersonalData.mask(code)
        // The kept payload has 身份证号 masked: one with `*` in it was a natural person's.
        if StateStore.isPersonalNumber(code) || (PersonalData.isPersonalField(field) && code.contains("*")) {
            return "\(field) \(shown) is a natural person's 证件号码, not an organisation's code: ask the platform"
        }
        guard let subject = try store.enterpriseSubject(uscc: code) else {
            return "\(field) \(shown) is not in the enterprise store (run 'credsync pull', or check the code)"
        }
        if subject.isNotFound { return "\(field) \(shown): gsxt does not know this code" }
        let status = subject.status.isEmpty ? "" : ", \(subject.status)"
        return "\(field) \(shown): registered name is \(subject.name)\(status); compare the record's name"
    }

    static func row(_ receipt: Receipt) -> ReceiptRow {
        var errors: String?
        if receipt.status == .failed {
            let list: [JSONValue] = receipt.errors.map { error in
                var item = JSONObject([
                    JSONMember("code", .string(error.code)), JSONMember("message", .string(error.message)),
                ])
                if let field = error.field { item["field"] = .string(field) }
                return .object(item)
            }
            errors = JSONWriter.compact(.array(list))
        }
        return ReceiptRow(
            seq: receipt.seq, key: receipt.key, version: receipt.version, op: receipt.op,
            state: receipt.status == .published ? .published : .failed, at: receipt.at, remoteID: receipt.remoteID,
            errors: errors, batch: receipt.batchID)
    }

    /// At most this many late versions are named; a count says how many more there are.
    static let lateListed = 50

    /// Versions pending longer than their platform's `receiptWarningDays` (working days, counted
    /// from the Shanghai date of the acceptance to `today`), as warnings for the platform's helpdesk.
    func lateWarnings(today: LocalDate, calendar: WorkingCalendar) throws(CredsyncError) -> [String] {
        var warnings: [String] = []
        var more = 0
        var dueDates: [Int: LocalDate] = [:]
        for pending in try store.pendingVersions(acceptedBefore: Timestamp.now()) {
            guard let platform = config.platform(pending.platform), platform.publication == .receipts else { continue }
            let accepted = LocalDate.todayInShanghai(now: pending.acceptedAt)
            let days = platform.receipts.warningWorkingDays
            let cacheKey = accepted.dayNumber * 100 + days
            // A year the calendar lacks: counted in calendar days, not as due on the day of acceptance.
            let due =
                dueDates[cacheKey]
                ?? ((try? calendar.adding(workingDays: days, to: accepted)) ?? accepted.adding(days: days))
            dueDates[cacheKey] = due
            guard due < today else { continue }
            guard warnings.count < Self.lateListed else {
                more += 1
                continue
            }
            warnings.append(
                "\(pending.platform.rawValue) \(pending.dataset.rawValue) \(pending.key) version \(pending.version): "
                    + "pending since \(accepted.iso), more than \(days) working days without a receipt "
                    + "(batch \(pending.batch), request \(pending.requestID.isEmpty ? "unknown" : pending.requestID)); "
                    + "ask the platform's helpdesk, see RUNBOOK 'A record pending too long'")
        }
        if more > 0 {
            warnings.append("\(more) more versions pending too long (the store's receipt table lists them)")
        }
        return warnings
    }
}
