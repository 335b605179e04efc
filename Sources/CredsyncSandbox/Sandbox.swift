#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore
import Foundation

/// `credsync-sandbox`: credit, gsxt and ipp on one loopback port, under
/// `/{platform}/exchange/v1`, with state kept in a directory and faults on demand.
public enum SandboxCommand {
    static let usage = """
        USAGE: credsync-sandbox [options]

        Serves the national platforms credit, gsxt and ipp on loopback, as exchange-api.md says:
        http://HOST:PORT/{credit,gsxt,ipp}/exchange/v1. Admin endpoints (loopback only) under /_admin/:
        POST faults, script, drift, forbid; GET records, stats.

        OPTIONS:
          --listen <host:port>      Where to listen, loopback only (default 127.0.0.1:8719; port 0 picks one).
          --port-file <file>        Write the port there once listening.
          --state-dir <dir>         Keep what was published there, so a restart keeps it.
          --app <id:ENV>            An application id and the environment variable holding its secret (repeatable).
          --enterprises <file>      gsxt's enterprise feed (JSON Lines).
          --serious-illegal <file>  SAMR's serious-illegal list feed (JSON Lines).
          --formats <dir>           The national format files to validate payloads with (e.g. mappings/formats);
                                    without it only the structural rules are checked.
          --rate <n> --burst <n>    The per-app rate limit (default 20 per second, bursts of 40).
          --latency-ms <n>          Every answer leaves n ms after its request arrived, the work included.
          --error-rate <share>      Share of requests answered 503.
          --reset-rate <share>      Share of connections reset without an answer.
          --clock-skew <seconds>    The platforms' clock offset.
          --require-sm3[=<ids>]     Refuse any signature but HMAC-SM3 (401 BAD_SIGNATURE), on every platform
                                    or on those listed (e.g. --require-sm3=gsxt,ipp).
          --receipts <ids>          Platforms that publish asynchronously (1.1 receipts), e.g. --receipts gsxt:
                                    an accepted version is pending until its receipt, which fails with
                                    E_SUBJECT_UNMATCHED when the subject's 统一社会信用代码 is not in --enterprises.
          --receipt-delay <s>       Seconds before a receipt is issued (default 0: at the next request).
          --request-timeout <s>     Seconds a request may take to arrive (slow clients are cut off; default 10).
          --file-channel <dir>      Also serve the file channel: poll <dir>/{credit,gsxt,ipp}/inbox/{dataset}/,
                                    answer into outbox/, write manifest/ (exchange-api.md 1.1); a --receipts
                                    platform's receipts also go to outbox/{dataset}/receipts-{seq}.jsonl. Admin:
                                    POST /_admin/file-channel {"platform", "hold": bool, "fault": …}.
          --file-channel-fault <f>  A comma-separated list: none, never (batches stay unanswered), twice (an
                                    answer is written again once deleted), late:<seconds> (answered only after
                                    that long), old-receipt (a version accepted from the inbox is followed by
                                    the older version's receipt once more, new seq) and torn-part (a half-
                                    written .part is left beside every answer and receipts file).
          --file-channel-poll-ms <n>  Milliseconds between polls of the inbox (default 100).
          -h, --help                Show this help.
        """

    /// Runs the sandbox until killed; returns an exit code only when it cannot start.
    public static func main(arguments: [String], environment: [String: String]) -> Int32 {
        do {
            let sandbox = try Sandbox(arguments: arguments, environment: environment)
            sandbox.server.start()
            sandbox.fileChannel?.start()
            FileOutput.writeAll(
                1, "credsync-sandbox listening on http://\(sandbox.server.host):\(sandbox.server.port)\n")
            if let portFile = sandbox.portFile {
                try? FileSystem.writeAtomically(portFile, text: "\(sandbox.server.port)\n")
            }
            while true { sleep(3600) }
        } catch let error as CredsyncError {
            FileOutput.writeAll(2, "error: \(error.message)\n" + (error.hint.map { "hint: \($0)\n" } ?? ""))
            return error.exitCode.rawValue
        } catch {
            FileOutput.writeAll(2, "error: \(error)\n")
            return ExitCode.software.rawValue
        }
    }
}

/// A configured sandbox: the server and its platforms.
public final class Sandbox: Sendable {
    public let server: HTTPServer
    /// The router the server calls for each request: a test may call it directly, in process.
    public let handler: HTTPServer.Handler
    let portFile: String?
    let fileChannel: FileChannelPoller?

    public init(arguments: [String], environment: [String: String]) throws {
        var validator: any PayloadValidator = StructuralValidator()
        var listen = "127.0.0.1:8719"
        var stateDir: String?
        var portFile: String?
        var apps: [String: String] = [:]
        var enterprises: String?
        var list: String?
        var settings = FaultSettings()
        var limits = HTTPServer.Limits()
        var requiringSM3: Set<PlatformID> = []
        var receiptPlatforms: Set<PlatformID> = []
        var receiptDelay = 0.0
        var fileChannelRoot: String?
        var fileChannelFault = FileChannelFault()
        var fileChannelPoll = 0.1
        var rest = arguments[...]
        func value(_ name: String) throws -> String {
            guard let next = rest.popFirst() else {
                throw CredsyncError.usage("option '\(name)' needs a value", hint: "see credsync-sandbox --help")
            }
            return next
        }
        func number(_ name: String) throws -> Double {
            let text = try value(name)
            guard let number = Double(text) else {
                throw CredsyncError.usage("'\(text)' is not a number for '\(name)'")
            }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "-h", "--help":
                FileOutput.writeAll(1, SandboxCommand.usage + "\n")
                exit(0)
            case "--listen": listen = try value(argument)
            case "--port-file": portFile = try value(argument)
            case "--state-dir": stateDir = try value(argument)
            case "--app":
                let text = try value(argument)
                let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, let secret = environment[parts[1]], !secret.isEmpty else {
                    throw CredsyncError.usage("--app \(text): expected ID:ENV with the environment variable set")
                }
                apps[parts[0]] = secret
            case "--enterprises": enterprises = try value(argument)
            case "--serious-illegal": list = try value(argument)
            case "--formats": validator = try NationalFormatValidator(directory: try value(argument))
            case "--rate": settings.requestsPerSecond = try number(argument)
            case "--burst": settings.burst = Int(try number(argument))
            case "--latency-ms": settings.latency = try number(argument) / 1000
            case "--error-rate": settings.errorRate = try number(argument)
            case "--reset-rate": settings.resetRate = try number(argument)
            case "--clock-skew": settings.clockSkew = try number(argument)
            case "--request-timeout": limits.requestTimeout = try number(argument)
            case "--receipts": receiptPlatforms = try Sandbox.platforms(try value(argument), option: argument)
            case "--receipt-delay": receiptDelay = try number(argument)
            case "--file-channel": fileChannelRoot = try value(argument)
            case "--file-channel-poll-ms": fileChannelPoll = try number(argument) / 1000
            case "--file-channel-fault":
                let text = try value(argument)
                guard let fault = FileChannelFault(text) else {
                    throw CredsyncError.usage("--file-channel-fault \(text): use " + FileChannelFault.syntax)
                }
                fileChannelFault = fault
            case "--require-sm3": requiringSM3 = Set(PlatformID.allCases)
            case let option where option.hasPrefix("--require-sm3="):
                let names = String(option.dropFirst("--require-sm3=".count))
                requiringSM3 = try Sandbox.platforms(names, option: "--require-sm3")
            default:
                throw CredsyncError.usage("unknown option '\(argument)'", hint: "use credsync-sandbox --help")
            }
        }
        guard !apps.isEmpty else { throw CredsyncError.usage("no application configured", hint: "give --app ID:ENV") }
        let parts = listen.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else {
            throw CredsyncError.usage("--listen \(listen): expected host:port")
        }
        if let stateDir { try FileSystem.createDirectory(stateDir) }
        let feeds = try EnterpriseFeeds(enterprisesFile: enterprises, listFile: list)
        let policy = ReceiptPolicy(
            delay: max(0, receiptDelay), registered: enterprises == nil ? nil : Set(feeds.latest.keys))
        var platforms: [PlatformID: SandboxPlatform] = [:]
        for id in PlatformID.allCases {
            platforms[id] = try SandboxPlatform(
                id: id, stateDir: stateDir, validator: validator, receipts: receiptPlatforms.contains(id) ? policy : nil
            )
        }
        let fileChannelFaults = FileChannelFaults(defaults: fileChannelFault)
        do {
            fileChannel = try fileChannelRoot.map { root throws(FileError) in
                try FileChannelPoller(
                    root: root, platforms: platforms, apps: apps, requiringSM3: requiringSM3, faults: fileChannelFaults,
                    interval: fileChannelPoll)
            }
        } catch {
            throw CredsyncError(.ioError, "--file-channel: \(error)")
        }
        let router = SandboxRouter(
            platforms: platforms, authenticator: Authenticator(apps: apps, requiringSM3: requiringSM3),
            faults: FaultPlan(defaults: settings), feeds: feeds, fileChannel: fileChannelFaults)
        handler = { router.handle($0) }
        self.server = try HTTPServer(host: String(parts[0]), port: port, limits: limits, handler: handler)
        self.portFile = portFile
    }

    /// A comma-separated list of platform ids, as an option's value.
    static func platforms(_ text: String, option: String) throws -> Set<PlatformID> {
        var platforms: Set<PlatformID> = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let platform = PlatformID(rawValue: String(name)) else {
                throw CredsyncError.usage("\(option): \"\(name)\" is not a platform", hint: "use credit, gsxt or ipp")
            }
            platforms.insert(platform)
        }
        return platforms
    }
}
