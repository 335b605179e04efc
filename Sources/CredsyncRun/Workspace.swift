public import CredsyncCatalogs
public import CredsyncCore
public import CredsyncMapping
public import CredsyncFormats
public import CredsyncReconciliation
public import CredsyncState

/// Everything a job reads before it acts: the configuration, the mappings, the publicity rules
/// and the calendar.
public struct Workspace: Sendable {
    public let config: Config
    public let mappings: [DatasetMapping]
    public let rules: PublicityRules

    /// Loads the mappings (of `datasets`, or all), the publicity rules and the calendar.
    public init(config: Config, datasets: [Dataset] = []) throws(CredsyncError) {
        self.config = config
        let all = try DatasetMapping.load(config)
        mappings = datasets.isEmpty ? all : all.filter { datasets.contains($0.catalog.dataset) }
        let directory = FileSystem.parent(of: config.catalogs.first?.mapping ?? config.file)
        let calendar = try WorkingCalendar(file: config.calendarFile ?? directory + "/calendar-cn.json")
        rules = try PublicityRules.load(
            config.publicityFile ?? directory + "/publicity.json", calendar: calendar, mappings: all.map(\.definition))
    }

    /// One dataset's export read through its mapping for planning: each valid record cross-checked
    /// against `store` and stepped for every platform while it is fresh, then dropped; each note
    /// handed to `fold` in file order (see `ExportMapping.fold`).
    func read(
        _ mapping: DatasetMapping, asOf: LocalDate, contexts: [PlanContext], store: EnterpriseStore?,
        showProgress: Bool, subjects: MissingSubjects? = nil,
        failure: CrossCheckFailure = CrossCheckFailure(), _ fold: (RecordNote, Int) -> Void
    ) -> Result<(ExportResult, Set<Int>), RowProblem> {
        let progress = ProgressLine(
            "read \(FileSystem.baseName(mapping.catalog.path))", total: 0, enabled: showProgress)
        let definition = mapping.definition
        let blocking = config.blockingCrossChecks
        let exportMapping = ExportMapping(
            catalog: mapping.catalog, definition: definition, organisation: config.organisation, today: asOf)
        return Result { () throws(RowProblem) -> (ExportResult, Set<Int>) in
            let annotate: @Sendable (MappedRecord) -> RecordNote = { record in
                var findings: [CrossCheckFinding] = []
                if let store {
                    do throws(CredsyncError) {
                        findings = try CrossChecks.findings(
                            for: record, dataset: definition.dataset, definition: definition, store: store,
                            blocking: blocking, subjects: subjects)
                    } catch { failure.record(error) }
                } else {
                    subjects?.note(record, definition: definition)
                }
                // Once a subject is missing from the store, the records are only looked at for
                // theirs: the run queries them and plans again.
                if let subjects, !subjects.isEmpty { return RecordNote(findings: [], steps: []) }
                // A record a finding blocks is set aside: it is not planned at all.
                if findings.contains(where: \.blocking) { return RecordNote(findings: findings, steps: []) }
                return RecordNote(findings: findings, steps: PlanContext.steps(record, contexts: contexts))
            }
            let (export, duplicates) = try exportMapping.fold(progress: progress, annotate: annotate, fold)
            return (export, duplicates)
        }
    }

    /// One dataset's export read through its mapping, or the problem that makes it unusable.
    public func read(_ mapping: DatasetMapping, asOf: LocalDate, showProgress: Bool = false) -> Result<
        ExportResult, RowProblem
    > {
        let progress = ProgressLine(
            "read \(FileSystem.baseName(mapping.catalog.path))", total: 0, enabled: showProgress)
        return Result { () throws(RowProblem) -> ExportResult in
            try mapping.read(organisation: config.organisation, today: asOf, progress: progress)
        }
    }
}

/// What planning keeps of a record once it is dropped: its cross-check findings and its step on
/// each platform.
struct RecordNote: Sendable {
    var findings: [CrossCheckFinding]
    var steps: [PlanStep]

    var isBlocked: Bool { steps.isEmpty && findings.contains(where: \.blocking) }
}

/// The plans of a run, with what refused some of them.
public struct RunPlan: Sendable {
    public var plans: [DatasetPlan] = []
    /// Datasets whose export could not be read at all.
    public var unreadable: [(Dataset, RowProblem)] = []
    /// Plans refused by a guardrail, with the message.
    public var refused: [(DatasetPlan, String)] = []
    /// Plans held back, then let go under an approval (`credsync approve`); they are in `plans`.
    public var approved: [ApprovedPlan] = []
    public var exports: [Dataset: ExportResult] = [:]
    /// Cross-check findings against the enterprise store (empty before the first pull): every
    /// blocking one, and the first `findingsListed` of the others.
    public var findings: [CrossCheckFinding] = []
    /// Findings past `findingsListed`, counted only.
    public var findingsNotListed = 0
    /// How many non-blocking findings a run lists (a million-row first load may find one a row).
    public static let findingsListed = 1000
}

extension Workspace {
    /// Reads the exports and plans every platform and dataset as of `asOf`, the guardrails applied
    /// unless `allowMassWithdraw`. A published record an export not read whole lacks is kept unless
    /// `approveWithdrawals` (see `UnreadRows`). The ledgers and the export history come from `store`
    /// (the state directory's, opened here when nil); each ledger is loaded once into `ledgers`.
    /// With `subjects`, each record's subjects the enterprise store lacks are noted; once one is,
    /// the exports are only read for theirs (the run is then incomplete: query them, plan again).
    package func plan(
        asOf: LocalDate, platforms: [PlatformID] = [], allowMassWithdraw: Bool = false,
        approveWithdrawals: Bool = false, ledgers: inout [PublishTarget: Ledger], showProgress: Bool = false,
        store: StateStore? = nil, controls: PlanControls = PlanControls(), subjects: MissingSubjects? = nil
    ) throws(CredsyncError) -> RunPlan {
        var run = RunPlan()
        let state: StateStore
        if let given = store { state = given } else { state = try StateStore(stateDir: config.stateDir) }
        let history = try ExportHistory.load(from: state)
        // The cross-checks look each subject up in the same store, when something was ever pulled.
        let store = try EnterpriseStore(state: state).ifPulled()
        let lookups = CrossCheckFailure()
        // Every change is written here as it is planned, and read back when pushed or shown.
        let spill = try ChangeSpill()
        for mapping in mappings {
            let dataset = mapping.catalog.dataset
            let targets = mapping.platforms.filter { platforms.isEmpty || platforms.contains($0.id) }
            // The ledgers first: every record is compared with them on the mapping threads.
            var contexts: [PlanContext] = []
            var builders: [PlanBuilder] = []
            for platform in targets {
                let id = PublishTarget(platform.id, dataset)
                let ledger: Ledger
                if let cached = ledgers[id] {
                    ledger = cached
                } else {
                    ledger = try Ledger.load(from: state, platform: platform.id, dataset: dataset)
                    ledgers[id] = ledger
                }
                let planned = controls.planned(ledger, dataset: dataset)
                var context = PlanContext(
                    dataset: dataset, format: mapping.definition.format, platform: platform, ledger: planned,
                    rules: rules, asOf: asOf, spill: spill)
                if platform.publication == .receipts {
                    context.awaitingReceipt = try state.publication(platform: platform.id, dataset: dataset).pending
                }
                contexts.append(context)
                builders.append(PlanBuilder(dataset: dataset, platform: platform.id, ledger: planned, spill: spill))
            }
            var findings: [CrossCheckFinding] = []
            var blockedLines: [Int] = []
            let result = read(
                mapping, asOf: asOf, contexts: contexts, store: store, showProgress: showProgress, subjects: subjects,
                failure: lookups
            ) { note, line in
                // Every blocking finding is kept (its record is set aside); of the others, the first
                // `findingsListed` of the run, and a count of the rest.
                for finding in note.findings {
                    if finding.blocking || run.findings.count + findings.count < RunPlan.findingsListed {
                        findings.append(finding)
                    } else {
                        run.findingsNotListed += 1
                    }
                }
                if note.isBlocked {
                    blockedLines.append(line)
                } else if note.steps.count == builders.count {
                    for i in builders.indices { builders[i].add(note.steps[i]) }
                }
            }
            try lookups.check()
            try spill.check()
            if let subjects {
                try subjects.check()
                // The later exports are still read, for their subjects; none is planned.
                if !subjects.isEmpty { continue }
            }
            var export: ExportResult
            let duplicates: Set<Int>
            switch result {
            case .failure(let problem):
                run.unreadable.append((dataset, problem))
                continue
            case .success(let value): (export, duplicates) = value
            }
            for i in builders.indices { builders[i].remove(lines: duplicates) }
            run.findings += findings
            if !blockedLines.isEmpty {
                export.droppedRecords -= blockedLines.filter { !duplicates.contains($0) }.count
                export.setAside += CrossChecks.setAside(findings, file: export.file)
            }
            run.exports[dataset] = export
            let setAsideKeys = export.setAsideKeys
            let unread = UnreadRows(export, isApproved: approveWithdrawals)
            for builder in builders {
                let plan = builder.finish(setAsideKeys: setAsideKeys, unread: unread)
                let guardrail =
                    allowMassWithdraw
                    ? nil
                    : Guardrail.refusal(
                        plan, exportRecords: export.recordCountAnyDate, exportRows: export.rowsRead,
                        previousRecords: history.records[dataset], guardrails: config.guardrails)
                switch try controls.verdict(plan, guardrail: guardrail) {
                case .planned: run.plans.append(plan)
                case .approved(let id):
                    run.plans.append(plan)
                    run.approved.append(ApprovedPlan(platform: plan.platform, dataset: dataset, planID: id))
                case .refused(let why): run.refused.append((plan, why))
                }
            }
            try spill.check()
        }
        return run
    }
}

/// How many valid records each export held at the last run, for the shrink guardrail: the store's
/// `export_history` table (the latest rows of each dataset are kept).
public struct ExportHistory: Sendable {
    public var records: [Dataset: Int] = [:]

    public init() {}

    /// The latest count of each dataset; none before the first run.
    package static func load(from store: StateStore) throws(CredsyncError) -> ExportHistory {
        var history = ExportHistory()
        for dataset in Dataset.allCases {
            if let count = try store.lastExportRecords(dataset: dataset) { history.records[dataset] = count }
        }
        return history
    }

    /// Records this run's counts, in one transaction.
    package func save(in store: StateStore, runID: String, now: Double = Timestamp.now()) throws(CredsyncError) {
        try store.transaction { () throws(CredsyncError) in
            for (dataset, count) in records.sorted(by: { $0.key < $1.key }) {
                try store.recordExport(dataset: dataset, records: count, recordedAt: Int(now), runID: runID)
            }
        }
    }
}
