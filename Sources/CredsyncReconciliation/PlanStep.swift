public import CredsyncCore
public import CredsyncFormats

/// What one record means for one platform's plan: the ledger place it marks as seen, the count it
/// adds to, and, for the few records that change or warn, the change, deadline and warnings.
/// Worked out on the mapping threads while the record is fresh; the plan only adds the steps up.
/// With a spill, the change is written there at once and the step keeps only its place.
public struct PlanStep: Sendable {
    public enum Tally: UInt8, Sendable { case none, unchanged, notYet, notPublished }

    /// A change kept in memory, a deadline (or why it is unknown), warnings: boxed, so that a plain
    /// step stays small.
    final class Detail: Sendable {
        let change: Change?
        let deadline: Deadline?
        let unknownDeadline: UnknownDeadline?
        let warnings: [String]

        init(change: Change?, deadline: Deadline?, unknownDeadline: UnknownDeadline? = nil, warnings: [String]) {
            self.change = change
            self.deadline = deadline
            self.unknownDeadline = unknownDeadline
            self.warnings = warnings
        }
    }

    /// A change written to the context's spill: where, and what it does.
    struct Spilled: Sendable {
        var place: ChangeSpill.Place
        var op: RecordOperation
    }

    /// The ledger place of the record's key; nil when the ledger lacks it. (An optional costs
    /// nothing here: it fits in the padding before `tally`.)
    var place: Int?
    var tally: Tally
    var detail: Detail?
    var spilled: Spilled?
    /// The record's line in the export.
    var line: Int = 0
}

/// One platform's side of planning a record: its format, its ledger, the rules and the date.
/// Read-only, so the mapping threads share it.
public struct PlanContext: Sendable {
    public let dataset: Dataset
    public let format: NationalFormat
    public let platform: PlatformConfig
    public let entries: LedgerEntries
    public let rules: PublicityRules
    public let asOf: LocalDate
    /// Where the changes are written as they are planned; without one they stay in the steps.
    public let spill: ChangeSpill?
    /// Keys accepted on a receipts platform still waiting for their receipt: an unchanged one keeps
    /// its publication deadline (publication counts at the receipt's `at`).
    public var awaitingReceipt: Set<String> = []

    public init(
        dataset: Dataset, format: NationalFormat, platform: PlatformConfig, ledger: Ledger, rules: PublicityRules,
        asOf: LocalDate, spill: ChangeSpill? = nil
    ) {
        self.spill = spill
        self.dataset = dataset
        self.format = format
        self.platform = platform
        self.entries = ledger.entries
        self.rules = rules
        self.asOf = asOf
    }

    /// Every context's step for `record`, sharing what does not depend on the platform: the
    /// publicity decision (the contexts are one dataset's) and the payload hash per date form.
    public static func steps(_ record: MappedRecord, contexts: [PlanContext]) -> [PlanStep] {
        guard let first = contexts.first else { return [] }
        var decision: PublicityDecision?
        var digests = PayloadDigests(separators: contexts.map(\.platform.dateSeparator))
        return contexts.map { context in
            if decision == nil, record.excludedFrom[context.platform.id] == nil {
                decision = first.rules.decide(record, dataset: first.dataset, asOf: first.asOf)
            }
            return context.step(record, decision: decision, digests: &digests)
        }
    }

    /// The record's step: its publicity decision as of the date, its payload's hash against the
    /// ledger's, and the change that follows.
    public func step(_ record: MappedRecord) -> PlanStep {
        var digests = PayloadDigests(separators: [platform.dateSeparator])
        return step(record, decision: nil, digests: &digests)
    }

    /// `step(_:)` with the decision already made (nil: make it) and the hashes worked out so far.
    func step(_ record: MappedRecord, decision made: PublicityDecision?, digests: inout PayloadDigests) -> PlanStep {
        let place = entries.place(of: record.key)
        let isPublished = place.map { entries.isPublished(at: $0) } ?? false
        var step = PlanStep(place: place, tally: .none, line: record.line)
        func withdrawal(_ reason: ChangeReason) -> Change {
            Change(
                key: record.key, op: .withdraw, reason: reason, previousHash: place.map { entries.hash(at: $0) },
                line: record.line)
        }
        if let why = record.excludedFrom[platform.id] {
            if isPublished {
                note(
                    withdrawal(.withdrawal(.corrected)), deadline: nil, unknownDeadline: nil,
                    warnings: ["\(record.key): withdrawn from \(platform.id.rawValue): \(why)"], in: &step)
            } else {
                step.tally = .notPublished
            }
            return step
        }
        let decision = made ?? rules.decide(record, dataset: dataset, asOf: asOf)
        var warnings = decision.warnings.map { "\(record.key): \($0)" }
        var change: Change?
        var deadline: Deadline?
        var unknownDeadline: UnknownDeadline?
        // A deadline is worked out only for a change it applies to; a year missing from the
        // calendar is then reported, never guessed.
        func due(_ kind: Deadline.Kind, _ date: (PublicityDecision) throws(WorkingCalendar.MissingYear) -> LocalDate?) {
            do {
                if let date = try date(decision) { deadline = Deadline(key: record.key, kind: kind, due: date) }
            } catch {
                // Warned of once per year by the plan (`PlanBuilder`), not once a record.
                unknownDeadline = UnknownDeadline(
                    key: record.key, kind: kind, problem: error.description, missingYear: error.year)
            }
        }
        switch decision.state {
        case .notYet:
            step.tally = .notYet
        case .published:
            let digest = digests.digest(record, format: format, dateSeparator: platform.dateSeparator)
            let op: (RecordOperation, ChangeReason)?
            if let place {
                op =
                    !isPublished
                    ? (.update, .republished) : entries.hasHash(digest, at: place) ? nil : (.update, .changed)
            } else {
                op = (.create, .new)
            }
            if let (op, reason) = op {
                var upsert = Change(
                    key: record.key, op: op, reason: reason, hash: digest.hex,
                    previousHash: place.map { entries.hash(at: $0) }, line: record.line)
                upsert.payloadJSON = record.canonicalPayload(format: format, dateSeparator: platform.dateSeparator)
                change = upsert
                if !isPublished { due(.publication, rules.publicationDue) }
            } else {
                step.tally = .unchanged
                if awaitingReceipt.contains(record.key) { due(.publication, rules.publicationDue) }
            }
        case .withdrawn(let reason, _):
            if isPublished {
                // The rules name only the platform's reasons (`PublicityRulesLoader` checks them).
                change = withdrawal(ChangeReason(rawValue: reason))
                due(.withdrawal, rules.withdrawalDue)
            } else {
                step.tally = .notPublished
            }
        }
        note(change, deadline: deadline, unknownDeadline: unknownDeadline, warnings: warnings, in: &step)
        return step
    }

    /// Keeps a step's change (in the spill when there is one) and its warnings.
    private func note(
        _ change: Change?, deadline: Deadline?, unknownDeadline: UnknownDeadline?, warnings: [String],
        in step: inout PlanStep
    ) {
        if var change, let spill {
            change.deadline = deadline
            change.unknownDeadline = unknownDeadline
            step.spilled = PlanStep.Spilled(place: spill.append(ChangeCoding.encode(change)), op: change.op)
            if !warnings.isEmpty || unknownDeadline != nil {
                step.detail = PlanStep.Detail(
                    change: nil, deadline: nil, unknownDeadline: unknownDeadline, warnings: warnings)
            }
        } else if change != nil || !warnings.isEmpty || unknownDeadline != nil || deadline != nil {
            var change = change
            change?.deadline = deadline
            change?.unknownDeadline = unknownDeadline
            step.detail = PlanStep.Detail(
                change: change, deadline: deadline, unknownDeadline: unknownDeadline, warnings: warnings)
        }
    }
}

/// A record's payload hashes by date separator: platforms that write dates alike share one, and
/// the payload is written once for all the separators its contexts use.
struct PayloadDigests {
    private let separators: [String]
    private var known: [(separator: String, digest: SHA256.Digest)] = []

    init(separators: [String]) {
        var unique: [String] = []
        for separator in separators where !unique.contains(separator) { unique.append(separator) }
        self.separators = unique
    }

    mutating func digest(_ record: MappedRecord, format: NationalFormat, dateSeparator: String) -> SHA256.Digest {
        if known.isEmpty, separators.count > 1, separators.contains(dateSeparator) {
            known = Array(zip(separators, record.payloadDigests(format: format, dateSeparators: separators)))
        }
        if let found = known.first(where: { $0.separator == dateSeparator }) { return found.digest }
        let digest = record.payloadDigest(format: format, dateSeparator: dateSeparator)
        known.append((dateSeparator, digest))
        return digest
    }
}
