import CredsyncCore
import CredsyncReconciliation
import Foundation

/// The enterprise store: `--enterprises N` (1,000,000) written to the state store, then opened and looked up.
struct StoreBenchmark {
    let options: BenchOptions

    func run() -> Int32 {
        let count = options.int("enterprises", 1_000_000)
        let stateDir = NSTemporaryDirectory() + "credsync-bench-store-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        do {
            let store = try EnterpriseStore(stateDir: stateDir)
            var batch: [(seq: Int?, enterprise: JSONValue)] = []
            var codes: [String] = []
            for i in 0..<count {
                let code = RepetitiveLicenseExport.uscc(i)
                if i % 1000 == 0 { codes.append(code) }
                batch.append(
                    (
                        i + 1,
                        [
                            "uscc": .string(code), "name": .string("杭州示例科技有限公司\(i)"), "type": "有限责任公司",
                            "legalRepresentative": "张三",
                            "registeredCapital": "100", "establishedOn": "2015-03-05", "authority": "杭州市市场监督管理局",
                            "status": "存续",
                            "address": .string("浙江省杭州市西湖区某路\(i % 999)号"), "updatedAt": "2026-01-05T02:00:00Z",
                        ]
                    ))
                if batch.count == 10_000 {
                    try store.append(enterprises: batch)
                    batch = []
                }
            }
            try store.append(enterprises: batch)
            let started = Timestamp.monotonic()
            let loaded = try EnterpriseStore(stateDir: stateDir)
            let load = Timestamp.monotonic() - started
            let lookupStart = Timestamp.monotonic()
            var found = 0
            for _ in 0..<100 { for code in codes where try loaded.enterprise(code) != nil { found += 1 } }
            let lookup = (Timestamp.monotonic() - lookupStart) / Double(max(1, found))
            print(
                String(
                    format:
                        "store: %d enterprises loaded in %.2f s (target < 2 s); lookup %.2f µs; peak memory %.0f MB",
                    try loaded.count(), load, lookup * 1e6, peakMemoryMB()))
            return load < 2 ? 0 : 1
        } catch {
            FileOutput.writeAll(2, "error: \(error.message)\n")
            return 74
        }
    }
}
