import CredsyncCore
import Testing

@Suite struct JSONCountTests {
    static let values: [JSONValue] = [
        .null, .bool(true), .bool(false), .number("-12.5e3"), .string(""), .string("许可证 No.12"),
        .string("quote \" back \\ tab \t nl \n cr \r bs \u{08} ff \u{0C} bell \u{07} nul \u{00}"),
        .string("𠀋 and \u{FFFF}"), .array([]), .object(JSONObject()),
        .array([.string("a"), .number("1"), .null, .array([.bool(false)])]),
        .object(
            JSONObject([
                JSONMember("XK_XDR_MC", .string("某某科技有限公司")), JSONMember("k\"ey", .string("v\u{1F}")),
                JSONMember("nested", .object(JSONObject([JSONMember("x", .array([.string("y")]))]))),
            ])),
    ]

    @Test(arguments: values)
    func theCountIsTheLengthOfTheCompactForm(_ value: JSONValue) {
        #expect(JSONWriter.compactCount(value) == JSONWriter.compact(value).utf8.count)
    }
}
