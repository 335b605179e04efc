import CredsyncCore
import Testing

@testable import CredsyncExchange

/// A manifest page of the wrong shape is an error, never "no records".
@Suite struct ManifestShapeTests {
    static let wrongShapes: [(String, String)] = [
        (#"{"ok":true,"results":"all good"}"#, #""items" is missing"#),
        (#"[]"#, "not a JSON object"),
        (#"{"items":{"key":"A"}}"#, #""items" is missing or not an array"#),
        (#"{"items":[{"hash":"x","status":"published"}]}"#, #"items[0] has no "key""#),
        (#"{"items":["A"]}"#, #"items[0] has no "key""#),
        (#"{"items":[{"key":"A","status":"gone"}]}"#, #"items[0] (A): "status""#),
        (#"{"items":[{"key":"A"}]}"#, #"items[0] (A): "status""#),
        (#"{"items":[{"key":"A","status":"published","version":"2"}]}"#, #""version" has the wrong type"#),
        (#"{"items":[{"key":"A","status":"published","hash":7}]}"#, #""hash" has the wrong type"#),
        (#"{"items":[],"nextCursor":12}"#, #""nextCursor" is neither"#),
    ]

    @Test(arguments: wrongShapes) func pageOfTheWrongShapeIsRefused(_ body: String, _ reason: String) throws {
        let json = try JSONParser.parse(body)
        guard case .failure(let problem) = ManifestItem.page(json) else {
            Issue.record("\(body) was read as a manifest")
            return
        }
        #expect(problem.reason.contains(reason), "\(problem.reason)")
    }

    @Test func pageOfTheContractsShapeIsRead() throws {
        let json = try JSONParser.parse(
            #"""
            {"items": [{"key": "A", "hash": "h", "status": "published", "version": 3, "updatedAt": "2026-11-20T02:30:00Z"},
                       {"key": "B", "status": "withdrawn", "hash": null}], "nextCursor": "c1"}
            """#)
        let page = try ManifestItem.page(json).get()
        #expect(
            page.items == [
                ManifestItem(key: "A", hash: "h", status: "published", version: 3, updatedAt: "2026-11-20T02:30:00Z"),
                ManifestItem(key: "B", hash: nil, status: "withdrawn", version: 0, updatedAt: nil),
            ])
        #expect(page.nextCursor == "c1")
        #expect(try ManifestItem.page(JSONParser.parse(#"{"items": [], "nextCursor": null}"#)).get().items.isEmpty)
    }
}
