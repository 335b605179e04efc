public import CredsyncCore

/// A rule that keeps a record away from publication, with the reason reported.
public struct Exclusion: Sendable {
    public var condition: Condition
    public var reason: String
}

/// A mapping file (`mappings/*.json`): how one export becomes its dataset's national records. A plain
/// value: the mapping threads each run a copy of their own (`Mapper.copy()`), made from it.
public struct MappingDefinition: Sendable {
    public var file: String
    public var dataset: Dataset
    public var format: NationalFormat
    /// The export columns the mapping reads, in reader order.
    public var columns: [String]
    /// (format field index, spec), in the file's order.
    public var fields: [(Int, ValueSpec)]
    /// Values not sent that drive the publicity rules (severity, repair date, …).
    public var controlNames: [String]
    public var control: [ValueSpec]
    /// Records never published on any platform (e.g. 轻微 penalties).
    public var exclusions: [Exclusion]
    /// The platforms that take this dataset, each with the records it does not take.
    public var platforms: [PlatformID: [Exclusion]]
    /// The enterprises a record names, for the cross-checks against gsxt: (USCC, name, date) fields.
    public var subjects: [(uscc: Int, name: Int, date: Int)] = []

    public func controlIndex(_ name: String) -> Int? { controlNames.firstIndex(of: name) }
}
