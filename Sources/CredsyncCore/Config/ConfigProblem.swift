/// One thing wrong (or worth a warning) in the configuration, located by its JSON path.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// e.g. `platforms[1].baseURL`; empty for the file as a whole.
    public var path: String
    public var message: String
    public var hint: String?

    public init(_ path: String, _ message: String, hint: String? = nil) {
        self.path = path
        self.message = message
        self.hint = hint
    }

    public var description: String {
        (path.isEmpty ? "" : path + ": ") + message + (hint.map { " (\($0))" } ?? "")
    }
}

/// Collects problems while a JSON object is read key by key; what was never asked for is unknown.
/// Used for every JSON file credsync reads: the configuration, mappings and formats.
public final class ObjectReader {
    public let object: JSONObject
    public let path: String
    public private(set) var knownKeys: [String] = []
    public let sink: ProblemSink

    public init(_ object: JSONObject, path: String, sink: ProblemSink) {
        self.object = object
        self.path = path
        self.sink = sink
    }

    public func childPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    public func problem(_ key: String, _ message: String, hint: String? = nil) {
        sink.problems.append(ConfigProblem(childPath(key), message, hint: hint))
    }

    /// A problem with the object as a whole, reported at its own path.
    public func problemHere(_ message: String, hint: String? = nil) {
        sink.problems.append(ConfigProblem(path, message, hint: hint))
    }

    public func warning(_ key: String, _ message: String, hint: String? = nil) {
        sink.warnings.append(ConfigProblem(childPath(key), message, hint: hint))
    }

    /// The raw value, marking the key known.
    public func value(_ key: String, required: Bool = false) -> JSONValue? {
        knownKeys.append(key)
        guard let value = object[key], !value.isNull else {
            if required { problem(key, "is required") }
            return nil
        }
        return value
    }

    public func string(_ key: String, required: Bool = false) -> String? {
        guard let value = value(key, required: required) else { return nil }
        guard let text = value.stringValue else {
            problem(key, "must be a string, not \(value.kindDescription)")
            return nil
        }
        if text.trimmingSpaces().isEmpty {
            problem(key, "is empty")
            return nil
        }
        return text
    }

    public func bool(_ key: String) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.boolValue else {
            problem(key, "must be true or false, not \(value.kindDescription)")
            return nil
        }
        return flag
    }

    public func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.intValue else {
            if let double = value.doubleValue, double.rounded() == double,
                Int(exactly: double).map({ !range.contains($0) }) ?? true
            {
                problem(
                    key, "\(describe(value)) is out of range", hint: "use \(range.lowerBound) to \(range.upperBound)")
            } else {
                problem(key, "must be a whole number, not \(describe(value))")
            }
            return nil
        }
        guard range.contains(number) else {
            problem(key, "\(number) is out of range", hint: "use \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    public func double(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.doubleValue else {
            problem(key, "must be a number, not \(describe(value))")
            return nil
        }
        guard range.contains(number) else {
            problem(key, "\(describe(value)) is out of range", hint: "use \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    /// A duration written as `30s`, `5m`, `6h`, `7d`; seconds, within `range` (default: 1 second to a
    /// year, so that nothing downstream meets a value that overflows a conversion).
    public func duration(_ key: String, in range: ClosedRange<Double> = 1...(366 * 86400)) -> Double? {
        guard let text = string(key) else { return nil }
        guard let seconds = DurationText.seconds(text) else {
            let tooLong = DurationText.isDurationShaped(text)
            problem(
                key, tooLong ? "\"\(text)\" is out of range" : "\"\(text)\" is not a duration",
                hint: tooLong ? rangeHint(range) : "write it like \"30s\", \"5m\", \"6h\" or \"7d\"")
            return nil
        }
        guard range.contains(seconds) else {
            problem(key, "\"\(text)\" is out of range", hint: rangeHint(range))
            return nil
        }
        return seconds
    }

    private func rangeHint(_ range: ClosedRange<Double>) -> String {
        "use \(DurationText.describe(range.lowerBound)) to \(DurationText.describe(range.upperBound))"
    }

    public func choice<T: RawRepresentable & CaseIterable>(_ key: String, required: Bool = false, as type: T.Type) -> T?
    where T.RawValue == String {
        guard let text = string(key, required: required) else { return nil }
        if let value = T(rawValue: text) { return value }
        let names = T.allCases.map(\.rawValue)
        let suggestion = DidYouMean.suggestion(for: text, among: names).map { "did you mean \"\($0)\"? " } ?? ""
        problem(
            key, "\"\(text)\" is not one of \(names.joined(separator: ", "))", hint: suggestion + "use one of those")
        return nil
    }

    public func object(_ key: String, required: Bool = false) -> ObjectReader? {
        guard let value = value(key, required: required) else { return nil }
        guard let object = value.objectValue else {
            problem(key, "must be an object, not \(value.kindDescription)")
            return nil
        }
        return ObjectReader(object, path: childPath(key), sink: sink)
    }

    public func array(_ key: String, required: Bool = false) -> [JSONValue]? {
        guard let value = value(key, required: required) else { return nil }
        guard let array = value.arrayValue else {
            problem(key, "must be an array, not \(value.kindDescription)")
            return nil
        }
        return array
    }

    /// An array of strings; each element that is not a string is a problem at its own path
    /// (`codes[2]`), never silently dropped.
    public func strings(_ key: String, required: Bool = false) -> [String]? {
        guard let items = array(key, required: required) else { return nil }
        var strings: [String] = []
        for (i, item) in items.enumerated() {
            guard let text = item.stringValue else {
                let itemPath = childPath(key) + "[\(i)]"
                sink.problems.append(ConfigProblem(itemPath, "must be a string, not \(describe(item))"))
                continue
            }
            strings.append(text)
        }
        return strings
    }

    /// The elements of an array that must hold objects, each with its path (`patterns[0]`); an
    /// element that is not an object is a problem, never silently skipped.
    public func objects(_ key: String, required: Bool = false, shape: String? = nil) -> [ObjectReader] {
        guard let items = array(key, required: required) else { return [] }
        var readers: [ObjectReader] = []
        for (i, item) in items.enumerated() {
            let itemPath = childPath(key) + "[\(i)]"
            guard let object = item.objectValue else {
                sink.problems.append(
                    ConfigProblem(
                        itemPath, "must be an object, not \(describe(item))",
                        hint: shape.map { "write it like \($0)" }))
                continue
            }
            readers.append(ObjectReader(object, path: itemPath, sink: sink))
        }
        return readers
    }

    /// Reports every key of the object that was never asked for, with a did-you-mean.
    /// Keys starting with `//` are comments and never reported.
    public func rejectUnknownKeys() {
        for key in object.keys where !knownKeys.contains(key) && !key.hasPrefix("//") {
            let hint =
                DidYouMean.suggestion(for: key, among: knownKeys).map { "did you mean \"\($0)\"?" }
                ?? "known keys: \(knownKeys.joined(separator: ", "))"
            problem(key, "unknown key", hint: hint)
        }
    }

    private func describe(_ value: JSONValue) -> String {
        if case .string(let text) = value { return "the string \"\(text)\"" }
        if case .number(let text) = value { return text }
        return value.kindDescription
    }
}

/// Where an `ObjectReader` tree puts what it finds.
public final class ProblemSink {
    public var problems: [ConfigProblem] = []
    public var warnings: [ConfigProblem] = []

    public init() {}
}
