public import CredsyncCore
import Foundation

/// Reads a national format file (`mappings/formats/*.json`); every problem is reported with the
/// file, its JSON path and a hint.
public enum FormatLoader {
    /// Reads `file`, or `bytes` as its contents when given.
    public static func load(_ file: String, bytes: [UInt8]? = nil) throws(CredsyncError) -> NationalFormat {
        let contents: [UInt8]
        if let bytes { contents = bytes } else { contents = try JSONFile.bytes(file) }
        let object = try JSONFile.object(file, bytes: contents)
        let sink = ProblemSink()
        let root = ObjectReader(object, path: "", sink: sink)
        let dataset = root.choice("dataset", required: true, as: Dataset.self)
        let items = root.array("fields", required: true) ?? []
        var names: [String] = []
        for item in items { if let code = item["code"]?.stringValue { names.append(code) } }
        let resolver = FormatResolver(names: names)
        var fields: [FieldRule] = []
        for (i, item) in items.enumerated() {
            guard let fieldObject = item.objectValue else {
                sink.problems.append(ConfigProblem("fields[\(i)]", "must be an object"))
                continue
            }
            if let field = readField(ObjectReader(fieldObject, path: "fields[\(i)]", sink: sink), resolver: resolver) {
                fields.append(field)
            }
        }
        for (i, name) in names.enumerated() where names[..<i].contains(name) {
            sink.problems.append(
                ConfigProblem("fields[\(i)].code", "\"\(name)\" is defined twice", hint: "keep one entry per field"))
        }
        let index = Dictionary(fields.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { first, _ in first })
        func resolve(_ reader: ObjectReader, _ key: String) -> Int? {
            guard let name = reader.string(key, required: true) else { return nil }
            guard let i = index[name] else {
                reader.problem(
                    key, "\"\(name)\" is not a field of this format",
                    hint: DidYouMean.suggestion(for: name, among: names).map { "did you mean \"\($0)\"?" })
                return nil
            }
            return i
        }
        var key: [Int] = []
        for (i, name) in (root.array("key", required: true) ?? []).enumerated() {
            if let name = name.stringValue, let position = index[name] {
                key.append(position)
            } else {
                sink.problems.append(
                    ConfigProblem(
                        "key[\(i)]", "\(name.stringValue ?? name.kindDescription) is not a field of this format"))
            }
        }
        if root.object["key"]?.arrayValue?.isEmpty == true {
            root.problem("key", "names no field", hint: "list the fields that identify a record, e.g. [\"XK_XKBH\"]")
        }
        var subject: SubjectFields?
        if let reader = root.object("subject") {
            let parts = ["category", "uscc", "registrationNumber", "legalRepresentative", "idType", "idNumber"].map {
                resolve(reader, $0)
            }
            reader.rejectUnknownKeys()
            if case let values = parts.compactMap({ $0 }), values.count == 6 {
                subject = SubjectFields(
                    category: values[0], uscc: values[1], registrationNumber: values[2],
                    legalRepresentative: values[3], idType: values[4], idNumber: values[5])
            }
        }
        let idTypes = root.strings("idTypes") ?? []
        let longTerm = root.string("longTerm") ?? "2099-12-31"
        if LocalDate(iso: longTerm) == nil {
            root.problem("longTerm", "\"\(longTerm)\" is not a date", hint: "write it like \"2099-12-31\"")
        }
        root.rejectUnknownKeys()
        guard let dataset, sink.problems.isEmpty else { throw problems(file, sink) }
        return NationalFormat(
            dataset: dataset, file: file, fields: fields, key: key, subject: subject, idTypes: idTypes,
            longTerm: longTerm)
    }

    /// One error listing every problem of `file`.
    public static func problems(_ file: String, _ sink: ProblemSink) -> CredsyncError {
        let lines = sink.problems.map { "  " + $0.description }.joined(separator: "\n")
        return CredsyncError(
            .configuration, "\(file): \(sink.problems.count) problem\(sink.problems.count == 1 ? "" : "s"):\n" + lines,
            hint: "fix the file; the README's \"Mapping files\" section documents every key")
    }

    private static func readField(_ reader: ObjectReader, resolver: FormatResolver) -> FieldRule? {
        let code = reader.string("code", required: true)
        let title = reader.string("name") ?? code ?? ""
        let kind = reader.choice("kind", as: FieldKind.self) ?? .text
        let required = reader.bool("required") ?? false
        let requiredWhen = reader.value("requiredWhen").flatMap {
            Condition.read($0, path: reader.childPath("requiredWhen"), resolver: resolver, sink: reader.sink)
        }
        let maxLength = reader.int("maxLength", in: 1...100_000)
        let length = reader.int("length", in: 1...100_000)
        let codes = reader.strings("codes")
        let multiple = reader.bool("multiple") ?? false
        let check = reader.choice("check", as: IdentifierCheck.self)
        let notAfterToday = reader.bool("notAfterToday") ?? false
        let notBefore = reader.string("notBefore").flatMap { name -> Int? in
            guard case .field(let i)? = resolver.resolve(field: name) else {
                reader.problem("notBefore", "\"\(name)\" is not a field of this format")
                return nil
            }
            return i
        }
        let after = reader.string("after").flatMap { name -> Int? in
            guard case .field(let i)? = resolver.resolve(field: name) else {
                reader.problem("after", "\"\(name)\" is not a field of this format")
                return nil
            }
            return i
        }
        var patterns: [PatternRule] = []
        let shape = #"{"pattern": "^ZX[0-9]+$"} (with "when": {…} to apply it only to some records)"#
        for patternReader in reader.objects("patterns", shape: shape) {
            let path = patternReader.path
            let condition = patternReader.value("when").flatMap {
                Condition.read($0, path: path + ".when", resolver: resolver, sink: reader.sink)
            }
            if let text = patternReader.string("pattern", required: true) {
                do {
                    patterns.append(try PatternRule(condition: condition, pattern: text))
                } catch {
                    patternReader.problem("pattern", "\"\(text)\" is not a valid regular expression")
                }
            }
            patternReader.rejectUnknownKeys()
        }
        reader.rejectUnknownKeys()
        guard let code else { return nil }
        return FieldRule(
            code: code, title: title, kind: kind, isRequired: required, requiredWhen: requiredWhen,
            maxLength: maxLength, exactLength: length, codes: codes, isMultiValue: multiple, check: check,
            notAfterToday: notAfterToday, notBefore: notBefore, after: after, patterns: patterns)
    }
}

/// Resolves field names to their position in a format.
struct FormatResolver: ReferenceResolver {
    let names: [String]
    var fieldNames: [String] { names }
    var controlNames: [String] { [] }
    func resolve(field name: String) -> Reference? { names.firstIndex(of: name).map { .field($0) } }
    func resolve(column name: String) -> Reference? { nil }
    func resolve(control name: String) -> Reference? { nil }
}

/// Reading a JSON file that must hold an object, naming the file in every error.
public enum JSONFile {
    public static func object(_ file: String) throws(CredsyncError) -> JSONObject {
        try object(file, bytes: bytes(file))
    }

    /// The file's contents.
    public static func bytes(_ file: String) throws(CredsyncError) -> [UInt8] {
        do { return try FileSystem.read(file) } catch {
            throw CredsyncError(.configuration, "\(file): cannot read: \(error.reason)")
        }
    }

    /// `bytes`, read from `file`, as a JSON object.
    public static func object(_ file: String, bytes: [UInt8]) throws(CredsyncError) -> JSONObject {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw CredsyncError(
                .configuration, "\(file): not valid JSON: \(error)", hint: "fix the JSON syntax at that place")
        }
        guard let object = value.objectValue else {
            throw CredsyncError(.configuration, "\(file): must hold a JSON object, not \(value.kindDescription)")
        }
        return object
    }
}
