public import CredsyncCore
public import CredsyncProtocol

extension PlatformClient {
    /// One signed, harmless request: the first page (limit 1) of this source's manifest of
    /// `dataset`. It proves the secret, the client certificate and the permission before a run;
    /// returns the platform's request id.
    public func probe(_ dataset: Dataset) async -> Result<String?, ExchangeFailure> {
        var statistics = BatchResult()
        let query = [("source", source), ("limit", "1")]
        switch await exchange(
            method: "GET", path: "/datasets/\(dataset.rawValue)/records", query: query, statistics: &statistics)
        {
        case .failure(let failure): return .failure(failure)
        case .success(let answer): return .success(answer.requestID)
        }
    }
}
