/// One dataset on one platform: where a plan, a push, a ledger and a queue entry belong.
/// Written `credit/license` in reports, logs and command lines.
public struct PublishTarget: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var platform: PlatformID
    public var dataset: Dataset

    public init(_ platform: PlatformID, _ dataset: Dataset) {
        self.platform = platform
        self.dataset = dataset
    }

    /// Reads `platform/dataset` (`credit/license`); the error names what is wrong and the choices.
    public init(parsing text: String) throws(CredsyncError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw CredsyncError.usage(
                "'\(text)' is not a platform/dataset pair", hint: "write it as platform/dataset, e.g. credit/license")
        }
        guard let platform = PlatformID(rawValue: String(parts[0])) else {
            throw CredsyncError.usage(
                "'\(text)': '\(parts[0])' is not a platform",
                hint: "platforms: " + PlatformID.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let dataset = Dataset(rawValue: String(parts[1])) else {
            throw CredsyncError.usage(
                "'\(text)': '\(parts[1])' is not a dataset",
                hint: "datasets: " + Dataset.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard platform.acceptedDatasets.contains(dataset) else {
            throw CredsyncError.usage(
                "'\(text)': \(platform.rawValue) does not take \(dataset.rawValue)",
                hint: "\(platform.rawValue) takes " + platform.acceptedDatasets.map(\.rawValue).joined(separator: ", "))
        }
        self.init(platform, dataset)
    }

    /// `credit/license`.
    public var description: String { platform.rawValue + "/" + dataset.rawValue }

    /// Platform order, then dataset order.
    public static func < (lhs: PublishTarget, rhs: PublishTarget) -> Bool {
        (lhs.platform, lhs.dataset) < (rhs.platform, rhs.dataset)
    }
}
