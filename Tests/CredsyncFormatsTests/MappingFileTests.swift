import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncFormats

@Suite struct MappingFileTests {
    func problems(_ mapping: String) throws -> String {
        let directory = try TemporaryDirectory("mapping")
        let formats = Binaries.packageRoot + "/mappings/formats"
        let file = try directory.write("m.json", mapping.replacingOccurrences(of: "FORMATS", with: formats))
        do {
            _ = try MappingLoader.load(file)
            return "loaded"
        } catch {
            return error.description.replacingOccurrences(of: file, with: "m.json")
        }
    }

    @Test func shippedMappingsLoad() throws {
        for dataset in Dataset.allCases {
            let definition = try MappingLoader.load(Binaries.packageRoot + "/mappings/\(dataset.rawValue).json")
            #expect(definition.dataset == dataset)
        }
    }

    @Test func unknownFieldNamesTheFilePathAndAHint() throws {
        let text = try problems(
            #"{"dataset": "license", "format": "FORMATS/license.json", "fields": {"XK_XDR_MCC": "名称"}, "platforms": {"credit": {}}}"#
        )
        #expect(
            text.hasPrefix(
                "m.json: 1 problem:\n  fields.XK_XDR_MCC: is not a field of the license format (did you mean \"XK_XDR_MC\"?)"
            ))
    }

    @Test func unknownTransformIsReported() throws {
        let text = try problems(
            #"{"dataset": "license", "format": "FORMATS/license.json", "fields": {"XK_ZT": {"column": "状态", "mapp": {}}}, "platforms": {"credit": {}}}"#
        )
        #expect(text.contains(#"fields.XK_ZT.mapp: unknown key (did you mean "map"?)"#))
    }

    @Test func badJSONIsReportedWithLineAndColumn() throws {
        let text = try problems("{\"dataset\": \"license\",\n  \"fields\": [}")
        #expect(text.hasPrefix("m.json: not valid JSON: line 2, column 14"))
    }

    @Test func conditionOnAFieldNotYetMappedIsReported() throws {
        let text = try problems(
            #"{"dataset": "license", "format": "FORMATS/license.json", "fields": {"XK_XDR_SHXYM": {"column": "a", "when": {"field": "XK_XDR_LB", "equals": "x"}}}, "platforms": {"credit": {}}}"#
        )
        #expect(
            text.contains(
                "fields.XK_XDR_SHXYM.when.field: \"XK_XDR_LB\" is not a field of the format, or is not mapped before this one"
            ))
    }

    @Test func platformThatDoesNotTakeTheDatasetIsReported() throws {
        let text = try problems(
            #"{"dataset": "license", "format": "FORMATS/license.json", "fields": {}, "platforms": {"ipp": {}}}"#)
        #expect(text.contains("platforms.ipp: ipp does not take license"))
    }
}
