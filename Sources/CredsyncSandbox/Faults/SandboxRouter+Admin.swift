import CredsyncCore
import Synchronization

/// The admin endpoints, loopback only: faults, scripts, drift behind the client's back, and
/// views of the state for tests.
extension SandboxRouter {
    func admin(_ request: ServerRequest) -> ServerResponse {
        guard request.fromLoopback else {
            return SandboxJSON.error(403, code: "FORBIDDEN", message: "admin is loopback only")
        }
        let body = (try? JSONParser.parse(request.body)) ?? [:]
        let parameters = Dictionary(
            Authenticator.queryParameters(request.rawQuery) ?? [], uniquingKeysWith: { _, last in last })
        let named = (body["platform"]?.stringValue ?? parameters["platform"]).flatMap(PlatformID.init(rawValue:))
        let targets = named.map { [$0] } ?? PlatformID.allCases
        switch (request.method, request.rawPath) {
        case ("POST", "/_admin/faults"):
            for platform in targets { faults.update(platform) { apply(body, to: &$0) } }
            return SandboxJSON.ok(["ok": true])
        case ("POST", "/_admin/script"):
            let texts = body["faults"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let scripted = texts.compactMap(ScriptedFault.init)
            guard scripted.count == texts.count else {
                return SandboxJSON.error(400, code: "BAD_REQUEST", message: "unknown fault in \(texts)")
            }
            for platform in targets { faults.setScript(platform, scripted) }
            return SandboxJSON.ok(["ok": true])
        case ("POST", "/_admin/forbid"):
            guard let app = body["app"]?.stringValue, let dataset = body["dataset"]?.stringValue else {
                return SandboxJSON.error(400, code: "BAD_REQUEST", message: "app and dataset are required")
            }
            for platform in targets { platforms[platform]?.forbidden.withLock { _ = $0.insert(app + "/" + dataset) } }
            return SandboxJSON.ok(["ok": true])
        case ("POST", "/_admin/file-channel"):
            return fileChannelFault(body, targets: targets)
        case ("POST", "/_admin/drift"):
            return drift(body, platform: named)
        case ("GET", "/_admin/records"):
            return records(platform: named, parameters: parameters)
        case ("GET", "/_admin/stats"):
            let counts = counters.withLock { $0 }
            return SandboxJSON.ok(
                .object(
                    JSONObject(counts.sorted { $0.key < $1.key }.map { JSONMember($0.key, .number(String($0.value))) }))
            )
        default:
            return SandboxJSON.error(404, code: "NOT_FOUND", message: "no such admin endpoint")
        }
    }

    private func apply(_ body: JSONValue, to settings: inout FaultSettings) {
        if let value = body["latencyMs"]?.doubleValue { settings.latency = value / 1000 }
        if let value = body["errorRate"]?.doubleValue { settings.errorRate = value }
        if let value = body["errorStatus"]?.intValue { settings.errorStatus = value }
        if let value = body["resetRate"]?.doubleValue { settings.resetRate = value }
        if let value = body["timeoutRate"]?.doubleValue { settings.timeoutRate = value }
        if let value = body["stallSeconds"]?.doubleValue { settings.stallSeconds = value }
        if let value = body["down"]?.boolValue { settings.isDown = value }
        if let value = body["rate"]?.doubleValue { settings.requestsPerSecond = value }
        if let value = body["burst"]?.intValue { settings.burst = value }
        if let value = body["clockSkewSeconds"]?.doubleValue { settings.clockSkew = value }
        if let value = body["cursorLifetimeSeconds"]?.doubleValue { settings.cursorLifetime = value }
        if let value = body["repeatsCursor"]?.boolValue { settings.repeatsCursor = value }
    }

    /// Changes a record behind the client's back: `delete`, `withdraw`, or `change` (a field edited).
    private func drift(_ body: JSONValue, platform: PlatformID?) -> ServerResponse {
        guard let platform, let sandbox = platforms[platform],
            let dataset = body["dataset"]?.stringValue.flatMap(Dataset.init(rawValue:)),
            let source = body["source"]?.stringValue, let key = body["key"]?.stringValue,
            let action = body["action"]?.stringValue
        else {
            return SandboxJSON.error(
                400, code: "BAD_REQUEST", message: "platform, dataset, source, key and action are required")
        }
        return sandbox.store.withLock { store in
            guard var record = store.record(source: source, dataset: dataset, key: key) else {
                if action == "add", let payload = body["payload"]?.objectValue {
                    let hash = JSONWriter.canonicalHash(.object(payload))
                    store.set(
                        source: source, dataset: dataset, key: key,
                        StoredRecord(
                            hash: hash, status: "published", version: 1, updatedAt: Timestamp.rfc3339(Timestamp.now()),
                            payload: payload))
                    store.flush()
                    return SandboxJSON.ok(["ok": true])
                }
                return SandboxJSON.error(404, code: "NOT_FOUND", message: "no record with this key")
            }
            switch action {
            case "delete": store.set(source: source, dataset: dataset, key: key, nil)
            case "withdraw":
                record.status = "withdrawn"
                record.version += 1
                store.set(source: source, dataset: dataset, key: key, record)
            case "change":
                let field = record.payload.keys.sorted().last ?? "BZ"
                record.payload[field] = .string("drift \(Timestamp.now())")
                record.hash = JSONWriter.canonicalHash(.object(record.payload))
                record.version += 1
                store.set(source: source, dataset: dataset, key: key, record)
            default:
                return SandboxJSON.error(400, code: "BAD_REQUEST", message: "action is delete, withdraw, change or add")
            }
            store.flush()
            return SandboxJSON.ok(["ok": true])
        }
    }

    private func records(platform: PlatformID?, parameters: [String: String]) -> ServerResponse {
        guard let platform, let sandbox = platforms[platform],
            let dataset = parameters["dataset"].flatMap(Dataset.init(rawValue:)),
            let source = parameters["source"]
        else {
            return SandboxJSON.error(400, code: "BAD_REQUEST", message: "platform, dataset and source are required")
        }
        let items: [JSONValue] = sandbox.store.withLock { store in
            store.keys(source: source, dataset: dataset).compactMap { key in
                guard let record = store.record(source: source, dataset: dataset, key: key) else { return nil }
                return [
                    "key": .string(key), "hash": .string(record.hash), "status": .string(record.status),
                    "version": .number(String(record.version)), "payload": .object(record.payload),
                ]
            }
        }
        return SandboxJSON.ok(["items": .array(items)])
    }
}
