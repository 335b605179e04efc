import CredsyncCore
import Testing

@Suite struct PersonalDataCanonicalTests {
    static let payloads: [JSONObject] = [
        JSONObject(),
        JSONObject([JSONMember("XK_XDR_MC", .string("张三")), JSONMember("XK_FRDB_ZJHM", .string("11010519491231002X"))]),
        JSONObject([
            JSONMember("XK_NR", .string("申请人 110105194912310021 的许可，证号 330106200001011234 与 12345678901234567890")),
            JSONMember("ZY_CZRDM", .string("91330106MA2B3C4D5E")), JSONMember("出质人证件号", .string("A1234567")),
            JSONMember("XK_XKJG", .string("某省知识产权局")), JSONMember("EMPTY", .string("")),
        ]),
        JSONObject([
            JSONMember("ZY_CZRDM", .string("110105194912310021")), JSONMember("X", .string("15位330106000101123")),
        ]),
        JSONObject([JSONMember("XK_NR", .string(String(repeating: "专利许可 1101051949123100 ", count: 40)))]),
        JSONObject([
            JSONMember("BZ", .string("含\"加急\"办理\r\n110105194912310021\t送达\\330106200001011234")),
            JSONMember("XK_XDR_ZJHM", .string("110105194912310021")),
        ]),
    ]

    @Test(arguments: payloads)
    func theBytesPathShowsWhatTheParsedPathShows(_ payload: JSONObject) throws {
        let canonical = JSONWriter.canonicalBytes(.object(payload))
        let parsed = try #require(JSONParser.parse(canonical).objectValue)
        let expected = JSONWriter.compact(.object(PersonalData.shown(parsed)))
        let shown = try #require(PersonalData.shownCompact(canonical: canonical))
        #expect(String(decoding: shown, as: UTF8.self) == expected)
    }

    @Test func anEscapeOrAnotherShapeIsLeftToTheParser() {
        let controlBeforeID = #"{"A":"\u00011101051949123100"}"#
        let shapes = [#"{"A":1}"#, #"["A"]"#, #"{"A":"x"} "#, #"{"A":"x""#, "", "{"]
        for text in [controlBeforeID, #"{"A\"":"x"}"#, #"{"XK_XDR_ZJHM":"1\n2"}"#] + shapes {
            #expect(PersonalData.shownCompact(canonical: Array(text.utf8)) == nil, "\(text)")
        }
    }
}
