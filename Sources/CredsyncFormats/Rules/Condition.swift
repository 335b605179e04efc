public import CredsyncCore

/// What a condition looks at: a national field already mapped, an export column, or a control value.
public enum Reference: Sendable, Equatable {
    case field(Int)
    case column(Int)
    case control(Int)
}

/// A condition in a mapping or format file, e.g. `{"field": "XK_XDR_LB", "equals": "个体工商户"}`,
/// `{"field": "CF_CFLB", "contains": "罚款"}`, `{"column": "工商注册号", "empty": false}`,
/// `{"all": […]}`, `{"any": […]}`, `{"not": …}`.
public indirect enum Condition: Sendable, Equatable {
    case equals(Reference, String)
    case oneOf(Reference, [String])
    /// A multi-value field (joined by `;`) holds this value among others.
    case contains(Reference, String)
    /// A multi-value field holds exactly this one value.
    case only(Reference, String)
    case isEmpty(Reference, Bool)
    case all([Condition])
    case any([Condition])
    case not(Condition)
}

/// The values a condition is evaluated against.
public struct EvaluationContext {
    public var fields: [String?]
    /// The export's values as read; `column(_:)` gives them trimmed, as mapping reads them.
    public var columns: [String?]
    public var control: [String?]

    /// The memberwise initializer, for the mapper in CredsyncMapping.
    package init(fields: [String?], columns: [String?], control: [String?]) {
        self.fields = fields
        self.columns = columns
        self.control = control
    }

    /// Column `i`'s value with white space at both ends trimmed, "" when there is none.
    @inline(__always)
    package func column(_ i: Int) -> String {
        guard let value = columns[i] else { return "" }
        return Normalizer.needsTrim(value) ? Normalizer.trim(value) : value
    }

    func value(_ reference: Reference) -> String {
        switch reference {
        case .field(let i): return fields[i] ?? ""
        case .column(let i): return column(i)
        case .control(let i): return control[i] ?? ""
        }
    }

    public func holds(_ condition: Condition) -> Bool {
        switch condition {
        case .equals(let reference, let expected): return value(reference) == expected
        case .oneOf(let reference, let values): return values.contains(value(reference))
        case .contains(let reference, let expected):
            return value(reference).split(separator: ";").contains { $0 == expected }
        case .only(let reference, let expected): return value(reference) == expected
        case .isEmpty(let reference, let empty): return value(reference).isEmpty == empty
        case .all(let conditions): return conditions.allSatisfy { holds($0) }
        case .any(let conditions): return conditions.contains { holds($0) }
        case .not(let condition): return !holds(condition)
        }
    }
}

/// Resolves names to references while a file is loaded, reporting unknown ones with a did-you-mean.
public protocol ReferenceResolver {
    func resolve(field name: String) -> Reference?
    func resolve(column name: String) -> Reference?
    func resolve(control name: String) -> Reference?
    var fieldNames: [String] { get }
    var controlNames: [String] { get }
}

extension Condition {
    /// Reads a condition at `path`; problems go to `sink`.
    public static func read(_ value: JSONValue, path: String, resolver: any ReferenceResolver, sink: ProblemSink)
        -> Condition?
    {
        guard let object = value.objectValue else {
            sink.problems.append(ConfigProblem(path, "a condition must be an object, not \(value.kindDescription)"))
            return nil
        }
        let reader = ObjectReader(object, path: path, sink: sink)
        defer { reader.rejectUnknownKeys() }
        for combinator in ["all", "any"] {
            if let items = reader.array(combinator) {
                if items.isEmpty {
                    reader.problem(
                        combinator, "names no condition",
                        hint: "an empty \(combinator) always holds or never does; remove it")
                    return nil
                }
                let parts = items.enumerated().compactMap {
                    read($1, path: reader.childPath(combinator) + "[\($0)]", resolver: resolver, sink: sink)
                }
                guard parts.count == items.count else { return nil }
                return combinator == "all" ? .all(parts) : .any(parts)
            }
        }
        if let inner = reader.value("not") {
            return read(inner, path: reader.childPath("not"), resolver: resolver, sink: sink).map { .not($0) }
        }
        let reference: Reference?
        if let name = reader.string("field") {
            reference = resolver.resolve(field: name)
            if reference == nil {
                reader.problem(
                    "field", "\"\(name)\" is not a field of the format, or is not mapped before this one",
                    hint: DidYouMean.suggestion(for: name, among: resolver.fieldNames).map { "did you mean \"\($0)\"?" }
                )
            }
        } else if let name = reader.string("column") {
            reference = resolver.resolve(column: name)
        } else if let name = reader.string("control") {
            reference = resolver.resolve(control: name)
            if reference == nil {
                reader.problem(
                    "control", "\"\(name)\" is not a control value of the mapping",
                    hint: DidYouMean.suggestion(for: name, among: resolver.controlNames).map {
                        "did you mean \"\($0)\"?"
                    })
            }
        } else {
            reader.problemHere("a condition needs field, column or control (or all, any, not)")
            return nil
        }
        guard let reference else { return nil }
        let tests = ["equals", "in", "contains", "only", "empty"].filter { object[$0] != nil }
        if tests.count > 1 {
            tests.forEach { _ = reader.value($0) }
            reader.problemHere(
                "has several tests: \(tests.joined(separator: ", "))", hint: "give one; combine them with all or any")
            return nil
        }
        if let expected = reader.string("equals") { return .equals(reference, expected) }
        if let items = reader.array("in") {
            let values = reader.strings("in") ?? []
            return values.count == items.count ? .oneOf(reference, values) : nil
        }
        if let expected = reader.string("contains") { return .contains(reference, expected) }
        if let expected = reader.string("only") { return .only(reference, expected) }
        if let empty = reader.bool("empty") { return .isEmpty(reference, empty) }
        reader.problemHere("a condition needs equals, in, contains, only or empty")
        return nil
    }
}
