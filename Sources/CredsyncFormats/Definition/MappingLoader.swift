public import CredsyncCore

/// Reads a mapping file and the national format it names; every problem is reported with the
/// file, its JSON path and a hint, e.g. `fields.XK_ZT.map`: unknown transform.
public enum MappingLoader {
    /// Reads `file` and its format.
    public static func load(_ file: String) throws(CredsyncError) -> MappingDefinition {
        let mappingBytes = try JSONFile.bytes(file)
        let object = try JSONFile.object(file, bytes: mappingBytes)
        let sink = ProblemSink()
        let root = ObjectReader(object, path: "", sink: sink)
        let dataset = root.choice("dataset", required: true, as: Dataset.self)
        guard let formatName = root.string("format", required: true) else { throw FormatLoader.problems(file, sink) }
        let formatFile = FileSystem.resolve(formatName, against: FileSystem.parent(of: file))
        let formatBytes = try JSONFile.bytes(formatFile)
        let format = try FormatLoader.load(formatFile, bytes: formatBytes)
        if let dataset, format.dataset != dataset {
            root.problem(
                "format", "\"\(formatName)\" is the format of \(format.dataset.rawValue), not \(dataset.rawValue)")
        }
        let resolver = MappingResolver(format: format)
        var control: [ValueSpec] = []
        if let reader = root.object("control") {
            for member in reader.object {
                guard !member.key.hasPrefix("//") else { continue }
                _ = reader.value(member.key)
                if let spec = SpecReader.read(
                    member.value, path: reader.childPath(member.key), resolver: resolver, sink: sink)
                {
                    control.append(spec)
                    resolver.controls.append(member.key)
                }
            }
        }
        var fields: [(Int, ValueSpec)] = []
        if let reader = root.object("fields", required: true) {
            for member in reader.object where !member.key.hasPrefix("//") {
                _ = reader.value(member.key)
                guard let index = format.index[member.key] else {
                    reader.problem(
                        member.key, "is not a field of the \(format.dataset.rawValue) format",
                        hint: DidYouMean.suggestion(for: member.key, among: format.fields.map(\.code)).map {
                            "did you mean \"\($0)\"?"
                        }
                            ?? "the fields are listed in \(formatName)")
                    continue
                }
                if let spec = SpecReader.read(
                    member.value, path: reader.childPath(member.key), resolver: resolver, sink: sink)
                {
                    fields.append((index, spec))
                }
                resolver.mapped.insert(index)
            }
        }
        let exclusions = readExclusions(root.array("exclude") ?? [], path: "exclude", resolver: resolver, sink: sink)
        var platforms: [PlatformID: [Exclusion]] = [:]
        if let reader = root.object("platforms", required: true) {
            for member in reader.object where !member.key.hasPrefix("//") {
                _ = reader.value(member.key)
                guard let platform = PlatformID(rawValue: member.key) else {
                    reader.problem(member.key, "is not a platform", hint: "use credit, gsxt or ipp")
                    continue
                }
                if let dataset, !platform.acceptedDatasets.contains(dataset) {
                    reader.problem(member.key, "\(platform.rawValue) does not take \(dataset.rawValue)")
                }
                guard let platformObject = member.value.objectValue else {
                    reader.problem(
                        member.key, "must be an object, not \(member.value.kindDescription)",
                        hint: #"write it like {"exclude": […]}, or {} for no exclusions"#)
                    continue
                }
                let platformReader = ObjectReader(platformObject, path: reader.childPath(member.key), sink: sink)
                platforms[platform] = readExclusions(
                    platformReader.array("exclude") ?? [], path: platformReader.childPath("exclude"),
                    resolver: resolver, sink: sink)
                platformReader.rejectUnknownKeys()
            }
        }
        var subjects: [(uscc: Int, name: Int, date: Int)] = []
        for reader in root.objects("subjects", shape: #"{"uscc": …, "name": …, "date": …}"#) {
            let indexes = ["uscc", "name", "date"].map { key -> Int? in
                guard let name = reader.string(key, required: true) else { return nil }
                guard let index = format.index[name] else {
                    reader.problem(key, "\"\(name)\" is not a field of the \(format.dataset.rawValue) format")
                    return nil
                }
                return index
            }
            reader.rejectUnknownKeys()
            if let uscc = indexes[0], let name = indexes[1], let date = indexes[2] {
                subjects.append((uscc, name, date))
            }
        }
        root.rejectUnknownKeys()
        guard let dataset, sink.problems.isEmpty else { throw FormatLoader.problems(file, sink) }
        var definition = MappingDefinition(
            file: file, dataset: dataset, format: format, columns: resolver.columns, fields: fields,
            controlNames: resolver.controls, control: control, exclusions: exclusions, platforms: platforms)
        definition.subjects = subjects
        return definition
    }

    private static func readExclusions(_ items: [JSONValue], path: String, resolver: MappingResolver, sink: ProblemSink)
        -> [Exclusion]
    {
        items.enumerated().compactMap { i, item in
            guard let object = item.objectValue else {
                sink.problems.append(
                    ConfigProblem(
                        path + "[\(i)]", "must be an object, not \(item.kindDescription)",
                        hint: #"write it like {"reason": …, "when": {…}}"#))
                return nil
            }
            let reader = ObjectReader(object, path: path + "[\(i)]", sink: sink)
            let reason = reader.string("reason", required: true)
            let condition = reader.value("when", required: true).flatMap {
                Condition.read($0, path: reader.childPath("when"), resolver: resolver, sink: sink)
            }
            reader.rejectUnknownKeys()
            guard let reason, let condition else { return nil }
            return Exclusion(condition: condition, reason: reason)
        }
    }
}

/// Resolves names while a mapping loads: columns are collected as they are named, fields must
/// be mapped before a condition refers to them.
final class MappingResolver: ReferenceResolver {
    let format: NationalFormat
    var columns: [String] = []
    var controls: [String] = []
    var mapped: Set<Int> = []

    init(format: NationalFormat) { self.format = format }

    var fieldNames: [String] { mapped.sorted().map { format.fields[$0].code } }
    var controlNames: [String] { controls }

    func resolve(field name: String) -> Reference? {
        guard let index = format.index[name], mapped.contains(index) else { return nil }
        return .field(index)
    }

    func resolve(column name: String) -> Reference? {
        if let index = columns.firstIndex(of: name) { return .column(index) }
        columns.append(name)
        return .column(columns.count - 1)
    }

    func resolve(control name: String) -> Reference? {
        controls.firstIndex(of: name).map { .control($0) }
    }
}
