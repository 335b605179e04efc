import CredsyncCore

/// Reads one value spec of a mapping file.
enum SpecReader {
    static let sources = ["column", "const", "org", "field", "control", "concat", "firstOf", "dateAdd"]

    static func read(_ value: JSONValue, path: String, resolver: MappingResolver, sink: ProblemSink) -> ValueSpec? {
        if let column = value.stringValue {
            // Shorthand: "XK_XKBH": "许可编号" reads a column as it is.
            guard case .column(let index)? = resolver.resolve(column: column) else { return nil }
            return ValueSpec(source: .column(index), path: path)
        }
        guard let object = value.objectValue else {
            sink.problems.append(
                ConfigProblem(path, "must be a column name or an object, not \(value.kindDescription)"))
            return nil
        }
        let reader = ObjectReader(object, path: path, sink: sink)
        let given = sources.filter { object[$0] != nil }
        guard given.count == 1, let sourceKey = given.first else {
            let unknown = object.keys.first { !known.contains($0) && !$0.hasPrefix("//") }
            reader.problemHere(
                given.isEmpty
                    ? "needs one source: \(sources.joined(separator: ", "))"
                    : "has several sources: \(given.joined(separator: ", "))",
                hint: unknown.flatMap { DidYouMean.suggestion(for: $0, among: known) }.map { "did you mean \"\($0)\"?" }
            )
            return nil
        }
        guard let source = readSource(sourceKey, reader: reader, resolver: resolver, sink: sink) else {
            reader.rejectUnknownKeys()
            return nil
        }
        var spec = ValueSpec.Steps()
        if let separators = reader.strings("split") { spec.split = separators }
        if let table = reader.object("map") {
            var map: [String: String] = [:]
            for member in table.object {
                _ = table.value(member.key)
                guard let target = member.value.stringValue else {
                    table.problem(member.key, "must map to a string")
                    continue
                }
                map[member.key] = target
            }
            spec.map = map
        }
        spec.unmapped = reader.choice("unmapped", as: UnmappedPolicy.self) ?? .error
        if let prefix = reader.object("ensurePrefix") {
            let text = prefix.string("value", required: true) ?? ""
            let condition = prefix.value("when").flatMap {
                Condition.read($0, path: prefix.childPath("when"), resolver: resolver, sink: sink)
            }
            prefix.rejectUnknownKeys()
            spec.ensurePrefix = (text, condition)
        }
        spec.join = reader.string("join")
        spec.isDate = reader.bool("date") ?? false
        if let amount = reader.string("amount") {
            switch amount {
            case "yuan-to-wan": spec.amountYuanToWan = true
            case "wan": spec.isAmount = true
            default:
                reader.problem(
                    "amount", "\"\(amount)\" is not an amount conversion", hint: "use \"yuan-to-wan\" or \"wan\"")
            }
        }
        if let fallback = reader.value("ifEmpty") {
            spec.ifEmpty = read(fallback, path: reader.childPath("ifEmpty"), resolver: resolver, sink: sink)
        }
        if let condition = reader.value("when") {
            spec.when = Condition.read(condition, path: reader.childPath("when"), resolver: resolver, sink: sink)
        }
        reader.rejectUnknownKeys()
        return ValueSpec(source: source, path: path, steps: spec)
    }

    static let known =
        sources + [
            "split", "map", "unmapped", "ensurePrefix", "join", "date", "amount", "ifEmpty", "when", "separator", "by",
            "periods",
        ]

    private static func readSource(_ key: String, reader: ObjectReader, resolver: MappingResolver, sink: ProblemSink)
        -> ValueSource?
    {
        switch key {
        case "column":
            guard let name = reader.string("column"), case .column(let index)? = resolver.resolve(column: name) else {
                return nil
            }
            return .column(index)
        case "const":
            return reader.string("const").map { .constant($0) }
        case "org":
            switch reader.string("org") {
            case "name": return .organisationName
            case "uscc": return .organisationUSCC
            case let other:
                reader.problem(
                    "org", "\"\(other ?? "")\" is not a part of the organisation", hint: "use \"name\" or \"uscc\"")
            }
            return nil
        case "field":
            guard let name = reader.string("field") else { return nil }
            guard case .field(let index)? = resolver.resolve(field: name) else {
                reader.problem(
                    "field", "\"\(name)\" is not mapped before this value", hint: "map it earlier in the file")
                return nil
            }
            return .field(index)
        case "control":
            guard let name = reader.string("control") else { return nil }
            guard case .control(let index)? = resolver.resolve(control: name) else {
                reader.problem("control", "\"\(name)\" is not a control value defined before this one")
                return nil
            }
            return .control(index)
        case "concat", "firstOf":
            let items = reader.array(key) ?? []
            let specs = items.enumerated().compactMap {
                read($1, path: reader.childPath(key) + "[\($0)]", resolver: resolver, sink: sink)
            }
            guard specs.count == items.count else { return nil }
            return key == "concat" ? .concat(specs, separator: reader.string("separator") ?? "") : .firstOf(specs)
        case "dateAdd":
            guard let inner = reader.object("dateAdd") else { return nil }
            let date = inner.value("date", required: true).flatMap {
                read($0, path: inner.childPath("date"), resolver: resolver, sink: sink)
            }
            let by = inner.value("by", required: true).flatMap {
                read($0, path: inner.childPath("by"), resolver: resolver, sink: sink)
            }
            var periods: [String: Period] = [:]
            if let table = inner.object("periods", required: true) {
                for member in table.object {
                    _ = table.value(member.key)
                    guard let text = member.value.stringValue, let period = Period(text) else {
                        table.problem(member.key, "is not a period", hint: "write it like \"1y\", \"3m\" or \"10d\"")
                        continue
                    }
                    periods[member.key] = period
                }
            }
            inner.rejectUnknownKeys()
            guard let date, let by else { return nil }
            return .dateAdd(date: date, by: by, periods: periods)
        default:
            return nil
        }
    }
}
