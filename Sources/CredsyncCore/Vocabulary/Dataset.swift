/// The four kinds of record the province shares.
public enum Dataset: String, Sendable, CaseIterable, Hashable, Comparable, Codable {
    /// 行政许可, administrative licenses.
    case license
    /// 行政处罚, administrative penalties.
    case penalty
    /// 严重失信主体名单, serious-dishonesty listings.
    case dishonesty
    /// 知识产权出质登记, patent and trademark pledge registrations.
    case pledge

    public static func < (lhs: Dataset, rhs: Dataset) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// The national platforms credsync talks to.
public enum PlatformID: String, Sendable, CaseIterable, Hashable, Comparable, Codable {
    /// 全国信用信息共享平台 / 信用中国.
    case credit
    /// 国家企业信用信息公示系统 (SAMR).
    case gsxt
    /// 知识产权保护信息平台 (CNIPA).
    case ipp

    /// The datasets the platform takes (exchange-api.md, "Platforms").
    public var acceptedDatasets: [Dataset] {
        switch self {
        case .credit: return [.license, .penalty, .dishonesty, .pledge]
        case .gsxt: return [.license, .penalty, .pledge]
        case .ipp: return [.dishonesty, .pledge]
        }
    }

    /// The platform's date format: `YYYY-MM-DD` for gsxt, `YYYY/MM/DD` for the others.
    public var defaultDateSeparator: String { self == .gsxt ? "-" : "/" }

    public static func < (lhs: PlatformID, rhs: PlatformID) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}
