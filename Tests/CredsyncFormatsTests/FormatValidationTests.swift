import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncFormats

/// Format and mapping files given in a shape the loader does not expect: each is an error naming
/// the file and the JSON path, never a rule silently switched off.
@Suite struct FormatValidationTests {
    func formatProblems(_ text: String) -> String {
        do {
            _ = try FormatLoader.load("f.json", bytes: Array(text.utf8))
            return "loaded"
        } catch {
            return error.message
        }
    }

    static let fieldA = #"{"code": "A", "required": true}"#

    @Test(arguments: [
        (
            #"{"code": "B", "patterns": ["^ZZZ$"]}"#,
            #"fields[1].patterns[0]: must be an object, not the string "^ZZZ$" "#
                + #"(write it like {"pattern": "^ZX[0-9]+$"} "#
                + #"(with "when": {…} to apply it only to some records))"#
        ),
        (#"{"code": "B", "patterns": {"pattern": "x"}}"#, "fields[1].patterns: must be an array, not an object"),
        (#"{"code": "B", "codes": ["x", 1]}"#, "fields[1].codes[1]: must be a string, not 1"),
        (
            #"{"code": "B", "requiredWhen": {"field": "A", "in": ["x", null]}}"#,
            "fields[1].requiredWhen.in[1]: must be a string, not null"
        ),
        (#"{"code": "A"}"#, #"fields[1].code: "A" is defined twice (keep one entry per field)"#),
        (
            #"{"code": "B", "requiredWhen": {"any": []}}"#,
            "fields[1].requiredWhen.any: names no condition (an empty any always holds or never does; remove it)"
        ),
        (
            #"{"code": "B", "requiredWhen": {"field": "A", "equals": "x", "in": ["y"]}}"#,
            "fields[1].requiredWhen: has several tests: equals, in (give one; combine them with all or any)"
        ),
    ])
    func unexpectedShapeInAFieldNamesFileAndPath(field: String, expected: String) {
        let text = formatProblems(#"{"dataset": "license", "key": ["A"], "fields": [\#(Self.fieldA), \#(field)]}"#)
        #expect(text == "f.json: 1 problem:\n  \(expected)", "\(text)")
    }

    @Test func unexpectedShapeAtTheTopNamesFileAndPath() {
        let text = formatProblems(
            #"{"dataset": "license", "key": [], "idTypes": ["身份证", true], "longTerm": "forever", "#
                + #""fields": [\#(Self.fieldA)]}"#
        )
        #expect(
            text == """
                f.json: 3 problems:
                  key: names no field (list the fields that identify a record, e.g. ["XK_XKBH"])
                  idTypes[1]: must be a string, not a boolean
                  longTerm: "forever" is not a date (write it like "2099-12-31")
                """, "\(text)")
    }

    /// The shipped pledge format's pattern rule, given as a string instead of an object, was
    /// silently dropped; it is now refused.
    @Test func shippedFormatWithAPatternGivenAsAStringIsRefused() throws {
        let file = Binaries.packageRoot + "/mappings/formats/pledge.json"
        var text = try String(contentsOfFile: file, encoding: .utf8)
        let rule = #""pattern": "[0-9]{1,10}""#
        #expect(text.contains(rule))
        text = text.replacingOccurrences(of: #""patterns": ["#, with: #""patterns": ["^ZZZ$", "#)
        let found = formatProblems(text)
        #expect(found.hasPrefix("f.json: 1 problem:\n  fields["), "\(found)")
        #expect(found.contains(#"].patterns[0]: must be an object, not the string "^ZZZ$""#), "\(found)")
    }

    func mappingProblems(_ mapping: String) throws -> String {
        let directory = try TemporaryDirectory("mapping")
        let formats = Binaries.packageRoot + "/mappings/formats"
        let file = try directory.write("m.json", mapping.replacingOccurrences(of: "FORMATS", with: formats))
        do {
            _ = try MappingLoader.load(file)
            return "loaded"
        } catch {
            return error.message.replacingOccurrences(of: file, with: "m.json")
        }
    }

    @Test(arguments: [
        (
            #""platforms": {"credit": []}"#,
            #"platforms.credit: must be an object, not an array "#
                + #"(write it like {"exclude": […]}, or {} for no exclusions)"#
        ),
        (
            #""platforms": {"credit": {}}, "exclude": ["轻微"]"#,
            #"exclude[0]: must be an object, not a string (write it like {"reason": …, "when": {…}})"#
        ),
        (
            #""platforms": {"credit": {}}, "subjects": [1]"#,
            #"subjects[0]: must be an object, not 1 (write it like {"uscc": …, "name": …, "date": …})"#
        ),
        (
            #""platforms": {"credit": {"exclude": [null]}}"#,
            #"platforms.credit.exclude[0]: must be an object, not null (write it like {"reason": …, "when": {…}})"#
        ),
    ])
    func unexpectedShapeInAMappingNamesFileAndPath(members: String, expected: String) throws {
        let text = try mappingProblems(
            #"{"dataset": "license", "format": "FORMATS/license.json", "fields": {"XK_WSH": "文书号"}, "#
                + #"\#(members)}"#)
        #expect(text == "m.json: 1 problem:\n  \(expected)", "\(text)")
    }

    @Test func splitSeparatorThatIsNotAStringIsReported() throws {
        let text = try mappingProblems(
            #"{"dataset": "license", "format": "FORMATS/license.json", "#
                + #""fields": {"XK_WSH": {"column": "文书号", "split": [";", 7]}}, "platforms": {"credit": {}}}"#
        )
        #expect(text.contains("fields.XK_WSH.split[1]: must be a string, not 7"), "\(text)")
    }
}
