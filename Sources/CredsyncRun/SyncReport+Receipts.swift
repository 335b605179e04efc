import CredsyncCore
import CredsyncExchange
import CredsyncState
import CredsyncFormats
import CredsyncProtocol

extension SyncJob {
    /// The receipts feeds read before the plan (exchange-api.md 1.1); a platform that fails is
    /// reported and its records stay pending. False when no platform of the run issues receipts.
    func readReceipts(into report: inout SyncReport, store: StateStore) async throws(CredsyncError) -> Bool {
        let feed = ReceiptFeed(config: config, store: store, logger: logger)
        guard !feed.platforms(options.platforms).isEmpty else { return false }
        report.apply(try await feed.read(platforms: options.platforms))
        return true
    }

    /// The counts after the run and the warnings for versions pending too long.
    func tallyReceipts(into report: inout SyncReport, store: StateStore) throws(CredsyncError) {
        let feed = ReceiptFeed(config: config, store: store, logger: logger)
        report.receipts = try store.receiptCounts().map {
            ReceiptTally(
                platform: $0.platform, dataset: $0.dataset, pending: $0.pending, failed: $0.failed,
                published: $0.published)
        }
        let receiptsPlatforms = config.platforms.filter {
            $0.publication == .receipts && (options.platforms.isEmpty || options.platforms.contains($0.id))
        }
        guard !receiptsPlatforms.isEmpty else { return }
        report.warnings += try feed.lateWarnings(today: .todayInShanghai(), calendar: workspace.rules.calendar)
    }
}

extension SyncReport {
    mutating func apply(_ read: ReceiptFeed.Result) {
        receiptsRead += read.read
        receiptFailures += read.failures
        platformProblems += read.problems
        unavailable.formUnion(read.unavailable)
        authenticationFailures += read.authenticationFailures
    }

    /// `receipts` of the report: read this run, the failures, the counts per platform and dataset.
    var receiptsJSON: JSONValue {
        [
            "read": .number(String(receiptsRead)),
            "failed": .array(
                receiptFailures.map { failure in
                    [
                        "platform": .string(failure.platform.rawValue), "dataset": .string(failure.dataset.rawValue),
                        "key": .string(failure.key), "version": .number(String(failure.version)),
                        "batchId": .string(failure.batchID), "subject": failure.subject.map { .string($0) } ?? .null,
                        "errors": .array(
                            failure.errors.map { error in
                                [
                                    "code": .string(error.code), "field": error.field.map { .string($0) } ?? .null,
                                    "message": .string(error.message),
                                ]
                            }),
                    ]
                }),
            "counts": .array(
                receipts.map { tally in
                    [
                        "platform": .string(tally.platform.rawValue), "dataset": .string(tally.dataset.rawValue),
                        "pending": .number(String(tally.pending)), "failed": .number(String(tally.failed)),
                        "published": .number(String(tally.published)),
                    ]
                }),
        ]
    }

    /// The summary's lines: pending and failed per platform and dataset, each failure like a rejection.
    var receiptLines: [String] {
        var lines: [String] = []
        for tally in receipts where tally.pending > 0 || tally.failed > 0 {
            lines.append(
                "  \(tally.platform.rawValue) \(tally.dataset.rawValue) receipts: \(tally.pending) pending, "
                    + "\(tally.failed) failed, \(tally.published) published")
        }
        for failure in receiptFailures.prefix(20) {
            let errors = failure.errors.map(\.description).joined(separator: "; ")
            lines.append(
                "  publication failed: \(failure.platform.rawValue) \(failure.dataset.rawValue) "
                    + "\(failure.key): \(errors)" + (failure.subject.map { "; " + $0 } ?? ""))
        }
        if receiptFailures.count > 20 {
            lines.append("  … \(receiptFailures.count - 20) more failed publications (see the report)")
        }
        return lines
    }
}
