package import CredsyncCore
package import CredsyncMapping
package import CredsyncReconciliation
package import CredsyncFormats
import Synchronization
import _CredsyncEngine
import CredsyncCatalogs

/// The subjects (USCCs) records name that the enterprise store lacks, or holds from a query older
/// than `refreshAfter` (a feed's record never ages): what the pull queries. Records are noted on
/// the mapping threads as they go by, by the pull's own scan or by the sync's plan (which then
/// needs no scan of its own).
package final class MissingSubjects: Sendable {
    let store: EnterpriseStore
    let refreshAfter: Double
    let now: Double
    /// The codes, each once: some 40 bytes a code (a million-row first load names most of its
    /// subjects here), not a `String` each.
    private let found = Mutex(ByteKeyTable())
    private let any = Atomic<Bool>(false)
    private let failure = CrossCheckFailure()

    package init(store: EnterpriseStore, refreshAfter: Double, now: Double = Timestamp.now()) {
        self.store = store
        self.refreshAfter = refreshAfter
        self.now = now
    }

    /// The codes noted so far.
    package var codes: Set<String> { found.withLock { table in Set((0..<table.count).map(table.key)) } }

    /// The codes in code-point order, `size` a chunk, each chunk's strings made when it is asked for.
    package func chunks(of size: Int) -> SubjectChunks {
        found.withLock { SubjectChunks(table: $0, order: $0.numbersInByteOrder(), size: size) }
    }

    /// Whether no record noted so far names a missing subject.
    package var isEmpty: Bool { !any.load(ordering: .acquiring) }

    /// Notes the subjects of `record` the store lacks or holds too old: whether it names one.
    @discardableResult
    package func note(_ record: MappedRecord, definition: MappingDefinition) -> Bool {
        var named = false
        for subject in definition.subjects {
            guard let code = record.values[subject.uscc], code != NationalIdentifiers.usccPlaceholder,
                NationalIdentifiers.isValidUSCC(code)
            else { continue }
            do throws(CredsyncError) {
                if note(code, stored: try store.summary(code)) { named = true }
            } catch {
                failure.record(error)
            }
        }
        return named
    }

    /// Notes `code` if the store lacks it (`stored` is nil) or holds it from a query older than
    /// `refreshAfter`: whether it did. The cross-checks call it with the summary they looked up.
    @discardableResult
    package func note(_ code: String, stored: EnterpriseSummary?) -> Bool {
        if let stored, stored.seq != nil || now - stored.fetchedAt < refreshAfter { return false }
        var code = code
        code.withUTF8 { bytes in found.withLock { _ = $0.insert(bytes, hash: ByteKeyTable.hash(bytes)) } }
        any.store(true, ordering: .releasing)
        return true
    }

    /// The first store error met while noting (exit 74), if any.
    package func check() throws(CredsyncError) { try failure.check() }
}

/// Missing subjects' codes in chunks of a query's size, in code-point order.
package struct SubjectChunks: Sendable {
    let table: ByteKeyTable
    let order: [Int32]
    let size: Int

    /// How many chunks.
    package var count: Int { (order.count + size - 1) / size }

    /// The codes of chunk `index`.
    package subscript(index: Int) -> [String] {
        order[(index * size)..<min(order.count, (index + 1) * size)].map { table.key(Int($0)) }
    }
}

extension PullJob {
    /// The subjects the exports name that the store lacks or holds from a query older than
    /// `refreshAfter`: each export streamed, its records dropped once looked at.
    static func missingSubjects(
        workspace: Workspace, asOf: LocalDate, store: EnterpriseStore, refreshAfter: Double,
        now: Double = Timestamp.now()
    ) throws(CredsyncError) -> Set<String> {
        try scanSubjects(workspace: workspace, asOf: asOf, store: store, refreshAfter: refreshAfter, now: now).codes
    }

    /// `missingSubjects`, kept compact for the queries.
    static func scanSubjects(
        workspace: Workspace, asOf: LocalDate, store: EnterpriseStore, refreshAfter: Double,
        now: Double = Timestamp.now()
    ) throws(CredsyncError) -> MissingSubjects {
        let missing = MissingSubjects(store: store, refreshAfter: refreshAfter, now: now)
        let config = workspace.config
        for mapping in workspace.mappings {
            let definition = mapping.definition
            let export = ExportMapping(
                catalog: mapping.catalog, definition: definition, organisation: config.organisation, today: asOf)
            // An export that cannot be read names no subjects; the plan reports it.
            _ = Result { () throws(RowProblem) in
                try export.collect(keepRecords: false) { record in missing.note(record, definition: definition) }
            }
            try missing.check()
        }
        return missing
    }
}
