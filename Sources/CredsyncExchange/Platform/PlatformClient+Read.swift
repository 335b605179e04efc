public import CredsyncCore
public import CredsyncProtocol

/// One entry of a platform's manifest.
public struct ManifestItem: Sendable, Equatable {
    public var key: String
    public var hash: String?
    /// `published` or `withdrawn`.
    public var status: String
    public var version: Int
    public var updatedAt: String?
}

/// Why a manifest page does not have the contract's shape.
public struct ManifestShapeError: Error, Sendable {
    public var reason: String
}

extension ManifestItem {
    /// The statuses the contract allows (exchange-api.md, "Reading what a platform holds").
    static let statuses: Set<String> = ["published", "withdrawn", "pending", "failed"]

    /// The items and next cursor of one manifest page, `{"items": [...], "nextCursor": "…" | null}`,
    /// or what is wrong with it: every item needs a string `key` and a known `status`; `hash`,
    /// `version` and `updatedAt`, when present, a string, an integer and a string.
    static func page(_ json: JSONValue) -> Result<(items: [ManifestItem], nextCursor: String?), ManifestShapeError> {
        guard json.objectValue != nil else {
            return .failure(ManifestShapeError(reason: "the answer is not a JSON object"))
        }
        guard let list = json["items"]?.arrayValue else {
            return .failure(ManifestShapeError(reason: "\"items\" is missing or not an array"))
        }
        let nextCursor: String?
        switch json["nextCursor"] {
        case nil, .null?: nextCursor = nil
        case .string(let text)?: nextCursor = text
        default: return .failure(ManifestShapeError(reason: "\"nextCursor\" is neither a string nor null"))
        }
        var items: [ManifestItem] = []
        items.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            let path = "items[\(i)]"
            guard item.objectValue != nil, let key = item["key"]?.stringValue, !key.isEmpty else {
                return .failure(ManifestShapeError(reason: "\(path) has no \"key\" string"))
            }
            guard let status = item["status"]?.stringValue, statuses.contains(status) else {
                let reason = "\(path) (\(key)): \"status\" is not one of \(statuses.sorted())"
                return .failure(ManifestShapeError(reason: reason))
            }
            let typed = [
                ("hash", item["hash"]?.stringValue != nil), ("version", item["version"]?.intValue != nil),
                ("updatedAt", item["updatedAt"]?.stringValue != nil),
            ]
            let wrong = typed.first { name, isTyped in !isTyped && item[name] != nil && item[name] != .null }
            if let (name, _) = wrong {
                return .failure(ManifestShapeError(reason: "\(path) (\(key)): \"\(name)\" has the wrong type"))
            }
            items.append(
                ManifestItem(
                    key: key, hash: item["hash"]?.stringValue, status: status, version: item["version"]?.intValue ?? 0,
                    updatedAt: item["updatedAt"]?.stringValue))
        }
        return .success((items, nextCursor))
    }
}

/// One page of a change feed.
public struct FeedPage: Sendable {
    public var items: [JSONValue]
    public var nextCursor: String?
    public var hasMore: Bool
}

/// Follows a platform's cursors and stops a paging that never ends: a cursor given twice (the
/// same page again, or a cycle) or more pages than any real dataset has.
public struct CursorTrail: Sendable {
    /// More pages than this is a platform error: 100 million records at 1,000 a page.
    public static let maxPages = 100_000
    private var seen: Set<String> = []
    public private(set) var pages = 0

    public init() {}

    /// Records a page that says `next` follows; the failure (exit 69) when following it would loop.
    public mutating func follow(_ next: String?, what: String) -> ExchangeFailure? {
        pages += 1
        guard let next else {
            return ExchangeFailure(
                .transient, status: 200, code: "CURSOR_MISSING",
                message: "\(what): page \(pages) says more follow but gives no cursor")
        }
        let shown = next.count > 80 ? String(next.prefix(80)) + "…" : next
        guard seen.insert(next).inserted else {
            return ExchangeFailure(
                .transient, status: 200, code: "CURSOR_NOT_ADVANCING",
                message:
                    "\(what): page \(pages) gives the cursor \"\(shown)\" again: the paging does not advance; stopped")
        }
        guard pages < Self.maxPages else {
            return ExchangeFailure(
                .transient, status: 200, code: "TOO_MANY_PAGES",
                message: "\(what): more than \(Self.maxPages) pages (last cursor \"\(shown)\"); stopped")
        }
        return nil
    }
}

extension PlatformClient {
    /// Every record this source ever pushed to `dataset`, following the pages.
    public func manifest(_ dataset: Dataset, pageSize: Int = 1000) async -> Result<[ManifestItem], ExchangeFailure> {
        var items: [ManifestItem] = []
        var cursor: String?
        var statistics = BatchResult()
        var trail = CursorTrail()
        repeat {
            var query = [("source", source), ("limit", String(pageSize))]
            if let cursor { query.append(("cursor", cursor)) }
            switch await exchange(
                method: "GET", path: "/datasets/\(dataset.rawValue)/records", query: query, statistics: &statistics)
            {
            case .failure(let failure): return .failure(failure)
            case .success(let answer):
                guard answer.status == 200, let json = answer.json else {
                    return .failure(
                        ExchangeFailure(
                            .transient, status: answer.status, code: nil, message: "manifest page without JSON"))
                }
                // An answer of the wrong shape is a platform error, never an empty manifest.
                switch ManifestItem.page(json) {
                case .success(let page):
                    items += page.items
                    cursor = page.nextCursor
                    if cursor != nil, let loop = trail.follow(cursor, what: "the \(dataset.rawValue) manifest") {
                        return .failure(loop)
                    }
                case .failure(let problem):
                    let message =
                        "the \(dataset.rawValue) manifest page after \(items.count) records is malformed: "
                        + problem.reason
                    return .failure(
                        ExchangeFailure(
                            .transient, status: answer.status, code: nil, message: message, requestID: answer.requestID)
                    )
                }
            }
        } while cursor != nil
        return .success(items)
    }

    /// One record as the platform holds it, with its payload; nil when the platform has none.
    public func record(_ dataset: Dataset, key: String) async -> Result<JSONValue?, ExchangeFailure> {
        var statistics = BatchResult()
        let path = "/datasets/\(dataset.rawValue)/records/" + PercentEncoding.encode(key)
        switch await exchange(method: "GET", path: path, query: [("source", source)], statistics: &statistics) {
        case .failure(let failure) where failure.status == 404 && failure.code == "NOT_FOUND": return .success(nil)
        case .failure(let failure): return .failure(failure)
        case .success(let answer): return .success(answer.json)
        }
    }

    /// Enterprises by USCC, 1 to 100 at a time: the items found and the codes not found.
    public func queryEnterprises(_ codes: [String]) async -> Result<
        (items: [JSONValue], notFound: [String]), ExchangeFailure
    > {
        var statistics = BatchResult()
        let body = Array(JSONWriter.compact(["uscc": .array(codes.map { .string($0) })]).utf8)
        switch await exchange(method: "POST", path: "/enterprises/query", body: body, statistics: &statistics) {
        case .failure(let failure): return .failure(failure)
        case .success(let answer):
            let items = answer.json?["items"]?.arrayValue ?? []
            let notFound = (answer.json?["notFound"]?.arrayValue ?? []).compactMap(\.stringValue)
            return .success((items, notFound))
        }
    }

    /// One page of gsxt's enterprise change feed for `region`.
    public func enterpriseChanges(region: String, cursor: String?, limit: Int = 1000) async -> Result<
        FeedPage, ExchangeFailure
    > {
        var query = [("region", region), ("limit", String(limit))]
        if let cursor { query.append(("cursor", cursor)) }
        return await feedPage(path: "/enterprises/changes", query: query)
    }

    /// One page of SAMR's serious-illegal list feed.
    public func seriousIllegalChanges(cursor: String?, limit: Int = 1000) async -> Result<FeedPage, ExchangeFailure> {
        var query = [("limit", String(limit))]
        if let cursor { query.append(("cursor", cursor)) }
        return await feedPage(path: "/lists/serious-illegal/changes", query: query)
    }

    private func feedPage(path: String, query: [(String, String)]) async -> Result<FeedPage, ExchangeFailure> {
        var statistics = BatchResult()
        switch await exchange(method: "GET", path: path, query: query, statistics: &statistics) {
        case .failure(let failure): return .failure(failure)
        case .success(let answer):
            let json = answer.json
            return .success(
                FeedPage(
                    items: json?["items"]?.arrayValue ?? [], nextCursor: json?["nextCursor"]?.stringValue,
                    hasMore: json?["hasMore"]?.boolValue ?? false))
        }
    }
}
