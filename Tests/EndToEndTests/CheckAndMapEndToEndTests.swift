import CredsyncCore
import Foundation
import TestSupport
import Testing

/// `credsync check` and `credsync map` on the sample exports, through the real binary.
@Suite struct CheckAndMapEndToEndTests {
    static let environment = ["CREDSYNC_DEMO_SECRET": "demo-secret-for-the-loopback-sandbox"]

    func credsync(_ arguments: [String], state: TemporaryDirectory) throws -> Binaries.Result {
        try Binaries.run(
            "credsync",
            ["--config", "ops/demo.d/credsync.json", "--state-dir", state.path, "--as-of", "2026-11-20"] + arguments,
            environment: Self.environment)
    }

    @Test(arguments: [
        ("license", "credit"), ("license", "gsxt"), ("penalty", "credit"), ("penalty", "gsxt"),
        ("dishonesty", "credit"),
        ("dishonesty", "ipp"), ("pledge", "credit"), ("pledge", "gsxt"), ("pledge", "ipp"),
    ])
    func mapMatchesTheGoldenFileByteForByte(dataset: String, platform: String) throws {
        let state = try TemporaryDirectory("state")
        let result = try credsync(
            ["map", "--dataset", dataset, "--platform", platform, "--limit", "12", "--json", "-q"], state: state)
        #expect(result.status == 0, "\(result.stderr)")
        let golden = try String(
            contentsOfFile: Binaries.packageRoot + "/fixtures/golden/\(dataset)-\(platform).jsonl", encoding: .utf8)
        #expect(result.stdout == golden)
    }

    @Test func checkCountsEveryDatasetAndExitsOneForSetAsideRows() throws {
        let state = try TemporaryDirectory("state")
        let result = try credsync(["check", "--json"], state: state)
        #expect(result.status == 1)
        let json = try JSONParser.parse(result.stdout)
        let datasets = json["datasets"]?.arrayValue ?? []
        let counts = Dictionary(
            uniqueKeysWithValues: datasets.map {
                (
                    $0["dataset"]?.stringValue ?? "",
                    ($0["rowsRead"]?.intValue ?? 0, $0["mapped"]?.intValue ?? 0, $0["setAside"]?.intValue ?? 0)
                )
            })
        #expect(counts["license"]! == (334, Fixture.exampleLicenses, 13))
        #expect(counts["penalty"]! == (284, 258, 3))
        #expect(counts["dishonesty"]! == (203, 200, 3))
        #expect(counts["pledge"]! == (243, Fixture.examplePledges, 3))
        let penalty = datasets.first { $0["dataset"] == "penalty" }
        #expect(penalty?["excluded"]?.intValue == 23)
        #expect(penalty?["platforms"]?["gsxt"]?["records"]?.intValue == 223)
    }

    @Test func quarantineNamesFileLineKeyPlatformAndEveryReasonWithNumbersMasked() throws {
        let state = try TemporaryDirectory("state")
        _ = try credsync(["check", "--dataset", "license"], state: state)
        let lines = try String(contentsOfFile: state.path + "/quarantine/license.jsonl", encoding: .utf8).split(
            separator: "\n")
        let items = try lines.map { try JSONParser.parse(String($0)) }
        // 11 set-aside rows (one with bytes that are not GB18030) for credit and gsxt each, and 2
        // rows that cannot be read at all.
        #expect(items.count == 24)
        let duplicates = items.filter { $0["key"] == "ZJ-BAD-0005" && $0["platform"] == "credit" }
        #expect(duplicates.map { $0["line"]?.intValue } == [178, 179])
        #expect(
            duplicates.first?["reasons"]?.arrayValue?.first?["expected"]?.stringValue?.contains("also on line 179")
                == true)
        let idCard = items.first { $0["key"] == "ZJ-BAD-0007" }
        #expect(idCard?["reasons"]?.arrayValue?.first?["value"] == "110105********0021")
        #expect(idCard?["file"]?.stringValue?.hasSuffix("fixtures/licenses.csv") == true)
        let unreadable = items.filter { $0["reasons"]?.arrayValue?.first?["rule"] == "E_UNREADABLE" }
        #expect(unreadable.count == 4)
        #expect(!lines.joined().contains("110105194912310021"))
    }

    @Test func mapExplainsWhyAKeyIsNotShown() throws {
        let state = try TemporaryDirectory("state")
        let result = try credsync(
            ["map", "--dataset", "license", "--platform", "credit", "--key", "ZJ-BAD-0004"], state: state)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(#"ZJ-BAD-0004 is set aside: XK_XKLB "特别": one of 普通, 特许, 认可, 核准, 登记, 其他 (E_CODE)"#))
    }

    @Test func brokenMappingFileFailsCheckNamingFileAndPath() throws {
        let state = try TemporaryDirectory("state")
        let mapping = try state.write(
            "license.json",
            #"{"dataset": "license", "format": "\#(Binaries.packageRoot)/mappings/formats/license.json", "fields": {"XK_ZT": {"colum": "状态"}}, "platforms": {"credit": {}}}"#
        )
        let config = try state.write(
            "credsync.json",
            """
            {"organisation": {"name": "x", "uscc": "11330000MB12345679"},
             "catalogs": [{"dataset": "license", "path": "\(Binaries.packageRoot)/fixtures/licenses.csv", "mapping": "\(mapping)"}],
             "platforms": [{"id": "credit", "baseURL": "http://127.0.0.1:1/credit/exchange/v1", "appId": "a", "secretEnv": "CREDSYNC_DEMO_SECRET"}]}
            """)
        let result = try Binaries.run("credsync", ["check", "--config", config], environment: Self.environment)
        #expect(result.status == 78)
        #expect(result.stderr.contains("\(mapping): 1 problem:"))
        #expect(
            result.stderr.contains(
                #"fields.XK_ZT: needs one source: column, const, org, field, control, concat, firstOf, dateAdd (did you mean "column"?)"#
            ))
    }
}
