import CredsyncCore
import CredsyncExchange
import CredsyncSandbox
import Foundation
import CredsyncProtocol

/// Records per second pushed to the sandbox, against the bound min(R, C/L) × batch size.
struct PushBenchmark {
    let options: BenchOptions

    func run() async -> Int32 {
        let records = options.int("records", 100_000)
        let latency = options.double("latency-ms", 50) / 1000
        let rate = options.double("rate", 20)
        let burst = options.int("burst", 40)
        let concurrency = options.int("concurrency", 4)
        let batchSize = options.int("batch-size", 500)
        let secret = "bench-secret-0123456789abcdef"
        let source = "11330000MB12345679"
        let sandbox: Sandbox
        do {
            sandbox = try Sandbox(
                arguments: [
                    "--listen", "127.0.0.1:0", "--app", "bench:BENCH_SECRET", "--rate", String(rate), "--burst",
                    String(burst),
                    "--latency-ms", String(latency * 1000),
                ],
                environment: ["BENCH_SECRET": secret])
        } catch {
            FileOutput.writeAll(2, "error: the sandbox did not start: \(error)\n")
            return 70
        }
        sandbox.server.start()
        let config = PlatformConfig(
            id: .credit, baseURL: "http://127.0.0.1:\(sandbox.server.port)/credit/exchange/v1", appID: "bench",
            secret: secret,
            requestsPerSecond: rate, burst: burst, batchSize: batchSize, concurrency: concurrency)
        let client = PlatformClient(
            config: config, source: source, retry: RetryPolicy(), logger: Logger(minimumLevel: .warning))
        let outgoing = (0..<records).map { i in
            OutgoingRecord.upsert(key: "浙知许〔2026〕\(i)号", payload: Self.payload(i, source: source))
        }
        let batches = Batch.split(outgoing, dataset: .license, source: source, maxRecords: batchSize)
        print(
            "push: \(records) records in \(batches.count) batches; latency \(Int(latency * 1000)) ms, rate \(rate)/s, burst \(burst), concurrency \(concurrency)"
        )

        let started = Timestamp.monotonic()
        let results = await withTaskGroup(of: BatchResult.self) { group in
            var next = 0
            var all: [BatchResult] = []
            for _ in 0..<min(concurrency, batches.count) {
                let batch = batches[next]
                next += 1
                group.addTask { await client.push(batch) }
            }
            while let result = await group.next() {
                all.append(result)
                if next < batches.count {
                    let batch = batches[next]
                    next += 1
                    group.addTask { await client.push(batch) }
                }
            }
            return all
        }
        let elapsed = Timestamp.monotonic() - started
        let delivered = results.reduce(0) { $0 + $1.outcomes.filter { $0.outcome.isDelivered }.count }
        let requests = results.reduce(0) { $0 + $1.requests }
        let limited = results.reduce(0) { $0 + $1.rateLimited }
        let achieved = Double(delivered) / elapsed
        let bound = min(rate, Double(concurrency) / max(latency, 1e-6)) * Double(batchSize)
        let ratio = achieved / bound
        let limitedShare = Double(limited) / Double(max(1, requests))
        print(
            String(
                format:
                    "push: %d delivered in %.2f s: %.0f records/s; bound %.0f records/s; ratio %.3f (target ≥ 0.90)",
                delivered, elapsed, achieved, bound, ratio))
        print(
            String(
                format: "push: %d requests, %d answered 429 (%.2f%%, target < 1%%); peak memory %.0f MB", requests,
                limited, limitedShare * 100, peakMemoryMB()))
        return delivered == records && ratio >= 0.9 && limitedShare < 0.01 ? 0 : 1
    }

    static func payload(_ i: Int, source: String) -> JSONObject {
        JSONObject([
            JSONMember("XK_XDR_MC", .string("杭州示例科技有限公司\(i % 997)")), JSONMember("XK_XDR_LB", "法人及非法人组织"),
            JSONMember("XK_XDR_SHXYM", "91330100716105852F"), JSONMember("XK_FRDB", "张三"),
            JSONMember("XK_WSH", .string("浙知许〔2026〕\(i)号")), JSONMember("XK_XKLB", "普通"),
            JSONMember("XK_NR", .string("专利代理机构执业许可，编号\(i)，许可范围为专利代理业务。")), JSONMember("XK_JDRQ", "2026/03/05"),
            JSONMember("XK_YXQZ", "2026/03/05"), JSONMember("XK_YXQZI", "2099/12/31"), JSONMember("XK_XKJG", "某省知识产权局"),
            JSONMember("XK_XKJGDM", .string(source)), JSONMember("XK_ZT", "1"), JSONMember("XK_LYDW", "某省知识产权局"),
            JSONMember("XK_LYDWDM", .string(source)),
        ])
    }
}
