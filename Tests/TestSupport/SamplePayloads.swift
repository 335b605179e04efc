public import CredsyncCore

/// National records that pass the format checks, for tests that push.
public enum SamplePayloads {
    /// A valid license payload numbered `n`, with dates written with `separator`.
    public static func license(_ n: Int, separator: String = "/", content: String = "") -> JSONObject {
        let date = ["2026", "03", "05"].joined(separator: separator)
        return JSONObject([
            JSONMember("XK_XDR_MC", .string("杭州示例科技有限公司\(n)")), JSONMember("XK_XDR_LB", "法人及非法人组织"),
            JSONMember("XK_XDR_SHXYM", .string(Fixture.companyUSCC)), JSONMember("XK_FRDB", "张三"),
            JSONMember("XK_WSH", .string("浙知许〔2026〕\(n)号")), JSONMember("XK_XKLB", "普通"),
            JSONMember("XK_NR", .string("专利代理机构执业许可\(n)\(content)")), JSONMember("XK_JDRQ", .string(date)),
            JSONMember("XK_YXQZ", .string(date)),
            JSONMember("XK_YXQZI", .string(["2099", "12", "31"].joined(separator: separator))),
            JSONMember("XK_XKJG", .string(Fixture.officeName)), JSONMember("XK_XKJGDM", .string(Fixture.officeUSCC)),
            JSONMember("XK_ZT", "1"),
            JSONMember("XK_LYDW", .string(Fixture.officeName)), JSONMember("XK_LYDWDM", .string(Fixture.officeUSCC)),
        ])
    }
}
