import CredsyncCore
import Foundation
import TestSupport
import Testing

/// Whatever a platform answers, a run neither crashes nor hangs nor leaks: the real binaries
/// against the real sandbox.
@Suite struct RobustnessEndToEndTests {
    func entries(_ env: SyncEnvironment) throws -> [JSONValue] {
        try JSONParser.parse(try env.credsync(["queue", "list", "--json"]).stdout)["entries"]?.arrayValue ?? []
    }

    @Test func retryAfterPastTheLimitOrMalformedQueuesTheWorkInsteadOfCrashingOrStalling() throws {
        let env = try SyncEnvironment(
            platforms: [.credit],
            retry: #"{"attemptsInRun": 2, "maxDelayInRun": "1s", "minDelay": "1s", "maxDelay": "1s"}"#)
        // 240 pledges in 3 batches: two malformed values (waited out as 1s), then waits past the
        // default limit, after which the run sends nothing more to credit and queues the rest. One
        // batch has at most one request in flight, so no request of this run finds the script empty.
        let tooLong = "status:429:99999999999"
        try env.sandbox.admin(
            "POST", "script",
            [
                "platform": "credit",
                "faults": ["status:429:-1", "status:429:1e300", .string(tooLong), .string(tooLong), .string(tooLong)],
            ])
        let run = try env.credsync(["sync", "--dataset", "pledge"])
        #expect(run.status == 69, "\(run.stdout)\(run.stderr)")
        let queued = try entries(env)
        #expect(queued.count == 240 && queued.allSatisfy { $0["state"] == "deferred" })
        #expect(
            queued.allSatisfy { $0["lastError"]?.stringValue?.contains("longer than retry.maxRetryAfter 1m") == true })
        #expect(try env.sandbox.holdings(.credit, .pledge).isEmpty)
        // The queue delivers them once the platform is willing.
        try env.sandbox.admin("POST", "script", ["platform": "credit", "faults": []])
        Thread.sleep(forTimeInterval: 1.1)
        let again = try env.credsync(["sync", "--dataset", "pledge"])
        #expect(again.status == 1 && again.stdout.contains("240 created"), "\(again.stdout)\(again.stderr)")
        #expect(try env.sandbox.holdings(.credit, .pledge).count == 240)
        // A limit past an hour is refused by check.
        let config = try String(contentsOfFile: env.configFile, encoding: .utf8)
        try config.replacingOccurrences(of: #""maxDelay": "1s""#, with: #""maxDelay": "1s", "maxRetryAfter": "2h""#)
            .write(toFile: env.configFile, atomically: true, encoding: .utf8)
        let check = try env.credsync(["check"])
        #expect(check.status == 78 && check.stderr.contains("retry.maxRetryAfter"), "\(check.stderr)")
    }

    @Test func pagingThatNeverAdvancesIsExit69NamingTheCursor() throws {
        let env = try SyncEnvironment(platforms: [.credit, .gsxt])
        try env.sandbox.admin("POST", "faults", ["repeatsCursor": true])
        let pull = try env.credsync(["pull"])
        #expect(pull.status == 69, "\(pull.stderr)")
        #expect(pull.stderr.contains("\"sandbox-repeating-cursor\" again"), "\(pull.stderr)")
        let reconcile = try env.credsync(["reconcile", "--platform", "credit", "--dataset", "license"])
        #expect(reconcile.status == 69, "\(reconcile.stderr)")
        #expect(reconcile.stderr.contains("license manifest") && reconcile.stderr.contains("sandbox-repeating-cursor"))
    }

    @Test func reconcileOnADamagedStoreExits74EveryTimeAndNeverCrashes() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        try FileManager.default.createDirectory(atPath: env.stateDir, withIntermediateDirectories: true)
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: env.storeFile))
        // The process used to exit while its HTTP threads were inside curl_global_init: ~5% SIGSEGV.
        for _ in 0..<20 {
            let run = try env.credsync(["reconcile", "--platform", "credit", "--dataset", "license"])
            #expect(run.status == 74 && run.stderr.contains("state check"), "\(run.stderr)")
            if run.status != 74 { break }
        }
    }

    @Test func personalNumbersInAnyFieldOrErrorPageNeverLeakAndNothingIsWorldReadable() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let path = env.directory.path + "/pledges.csv"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        // A 17-digit 出质人证件号, and a valid 身份证号 typed where the 质权人代码 belongs.
        text = text.replacingOccurrences(of: "孙芳,330106199012092282,", with: "孙芳,33010619900101123,")
        text = text.replacingOccurrences(
            of: "中国工商银行股份有限公司杭州分行,913301001B6F9AJPJT,", with: "中国工商银行股份有限公司杭州分行,110105194912310021,")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let clear = ["33010619900101123", "110105194912310021", "110101199003071234"]
        func leaks(_ text: String) -> [String] { clear.filter { text.contains($0) } }

        let check = try env.credsync(["check", "--dataset", "pledge"])
        #expect(
            check.stdout.contains("330106*******1123") && check.stdout.contains("110105********0021"), "\(check.stdout)"
        )
        #expect(leaks(check.stdout + check.stderr).isEmpty)
        let checkJSON = try env.credsync(["check", "--dataset", "pledge", "--json"])
        #expect(leaks(checkJSON.stdout).isEmpty)

        // A proxy's error page echoing an ID number: masked before it is stored in the queue.
        try env.sandbox.admin(
            "POST", "script",
            [
                "platform": "credit",
                "faults": [
                    "page:502:Bad Gateway for 110101199003071234", "page:502:Bad Gateway for 110101199003071234",
                    "page:502:Bad Gateway for 110101199003071234", "page:502:Bad Gateway for 110101199003071234",
                    "page:502:Bad Gateway for 110101199003071234", "page:502:Bad Gateway for 110101199003071234",
                ],
            ])
        let sync = try env.credsync(["sync", "--dataset", "pledge"])
        #expect(leaks(sync.stdout + sync.stderr).isEmpty)
        let listed = try env.credsync(["queue", "list", "--json"])
        #expect(listed.stdout.contains("110101********1234"), "\(listed.stdout)")

        // Nothing in the state directory holds them in clear (both rows are set aside, never
        // sent); every file is 0600 or 0640 and every directory 0700 or 0750, from a shell's umask.
        let files = FileManager.default.enumerator(atPath: env.stateDir)?.allObjects.compactMap { $0 as? String } ?? []
        #expect(files.contains { $0.hasPrefix("quarantine/") } && files.contains { $0.hasPrefix("reports/") })
        for file in files {
            let full = env.stateDir + "/" + file
            let mode = try FileSystem.permissions(full)
            if FileSystem.isDirectory(full) {
                #expect(mode == 0o700 || mode == 0o750, "\(file): \(String(mode, radix: 8))")
                continue
            }
            #expect(mode == 0o600 || mode == 0o640, "\(file): \(String(mode, radix: 8))")
            let content = String(decoding: try FileSystem.read(full), as: UTF8.self)
            #expect(leaks(content).isEmpty, "\(file)")
        }
    }
}
