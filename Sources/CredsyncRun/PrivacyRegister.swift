public import CredsyncCore
import CredsyncFormats
import CredsyncMapping
package import CredsyncState

/// The personal-data register (`credsync privacy report`): which national fields carry natural
/// persons' data, per dataset and the platforms that take it; how many records of persons were
/// sent to each platform in a period; and, for an access request, every record a person's number
/// appears in. Read from the kept payloads, where personal numbers are masked: a number is matched
/// by its masked form, so a match names a record that holds a number with the same first six and
/// last four characters (the officer confirms it from the source system).
public struct PrivacyRegister: Sendable {
    public struct PersonalFields: Sendable {
        public var dataset: Dataset
        public var platforms: [PlatformID]
        /// (code, Chinese title) of each field that holds persons' numbers.
        public var fields: [(code: String, title: String)]
    }

    public struct Count: Sendable {
        public var target: PublishTarget
        /// Records accepted in the period.
        public var records = 0
        /// Of those, records that carry a natural person's number.
        public var personal = 0
    }

    public struct Match: Sendable {
        public var target: PublishTarget
        public var key: String
        public var field: String
        public var status: String
        public var acceptedAt: Int
    }

    public var fields: [PersonalFields] = []
    public var counts: [Count] = []
    public var matches: [Match] = []
    /// Kept payloads that are not JSON objects (the store was edited by hand): counted, not read.
    public var unreadablePayloads = 0

    /// The register of `workspace`'s datasets from `store`, for acceptances in `[from, before)`
    /// (Unix seconds, nil: open), with the matches of `subject` when one is given.
    package static func build(
        workspace: Workspace, store: StateStore, from: Int?, before: Int?, subject: String?
    ) throws(CredsyncError) -> PrivacyRegister {
        var register = PrivacyRegister()
        var personalCodes: [Dataset: Set<String>] = [:]
        for mapping in workspace.mappings {
            let format = mapping.definition.format
            let fields = format.fields.filter { PersonalData.isPersonalField($0.code) }.map { ($0.code, $0.title) }
            personalCodes[mapping.catalog.dataset] = Set(fields.map(\.0))
            register.fields.append(
                PersonalFields(dataset: mapping.catalog.dataset, platforms: mapping.platforms.map(\.id), fields: fields)
            )
        }
        let wanted = subject.map { Self.maskedForms(of: $0) } ?? []
        var counts: [PublishTarget: Count] = [:]
        try store.forEachKeptRecord(acceptedFrom: from, before: before) { record throws(CredsyncError) in
            guard let codes = personalCodes[record.dataset] else { return }
            let target = PublishTarget(record.platform, record.dataset)
            var count = counts[target] ?? Count(target: target)
            count.records += 1
            guard let payload = (try? JSONParser.parse(record.payload))?.objectValue else {
                register.unreadablePayloads += 1
                counts[target] = count
                return
            }
            if codes.contains(where: { Self.holdsPerson(payload[$0]?.stringValue, field: $0) }) { count.personal += 1 }
            counts[target] = count
            guard !wanted.isEmpty else { return }
            for member in payload.members {
                guard let value = member.value.stringValue, wanted.contains(value) else { continue }
                register.matches.append(
                    Match(
                        target: target, key: record.key, field: member.key, status: record.status,
                        acceptedAt: record.acceptedAt))
            }
        }
        register.counts = counts.values.sorted { $0.target < $1.target }
        return register
    }

    /// Whether a kept value of a personal field is a person's: a 出质人代码 that is a valid
    /// 统一社会信用代码 (kept in clear) names an organisation.
    static func holdsPerson(_ value: String?, field: String) -> Bool {
        guard let value, !value.isEmpty else { return false }
        return field != "ZY_CZRDM" || !NationalIdentifiers.isValidUSCC(value)
    }

    /// The forms a number is kept in: masked as a personal field, and as any text is.
    static func maskedForms(of subject: String) -> Set<String> {
        let number = String(subject.filter { !$0.isWhitespace }).uppercased()
        return [NationalIdentifiers.masked(number), PersonalData.mask(number)]
    }
}
