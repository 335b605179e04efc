#if canImport(Glibc)
    import Glibc
#endif
import Synchronization

/// One event per line on standard error: readable text, or JSON Lines for a log collector.
/// Every message and field goes through the `Redactor`, so a secret never reaches a log.
public final class Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        public var name: String {
            switch self {
            case .debug: return "debug"
            case .info: return "info"
            case .warning: return "warning"
            case .error: return "error"
            }
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    public let minimumLevel: Level
    public let format: Format
    private let fileDescriptor: Int32
    private let isTerminal: Bool
    /// Colour on a terminal unless `NO_COLOR` is set (no-color.org) or `TERM` is `dumb`.
    private let usesColor: Bool
    private let lock = Mutex(())
    private let captured = Mutex<[String]?>(nil)

    /// A logger writing to `fileDescriptor` (standard error by default).
    public init(minimumLevel: Level = .info, format: Format = .text, fileDescriptor: Int32 = 2) {
        self.minimumLevel = minimumLevel
        self.format = format
        self.fileDescriptor = fileDescriptor
        self.isTerminal = isatty(fileDescriptor) == 1
        var environment: [String: String] = [:]
        for name in ["NO_COLOR", "TERM"] { environment[name] = getenv(name).map { String(cString: $0) } }
        self.usesColor = isTerminal && Terminal.allowsColor(environment: environment)
    }

    /// A logger that keeps its lines in memory, for tests.
    public static func capturing(minimumLevel: Level = .debug, format: Format = .text) -> Logger {
        let logger = Logger(minimumLevel: minimumLevel, format: format, fileDescriptor: -1)
        logger.captured.withLock { $0 = [] }
        return logger
    }

    /// The lines a capturing logger has kept.
    public var capturedLines: [String] { captured.withLock { $0 ?? [] } }

    public func debug(_ message: String, _ fields: [(String, any LogValue)] = []) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: [(String, any LogValue)] = []) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: [(String, any LogValue)] = []) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: [(String, any LogValue)] = []) { log(.error, message, fields) }

    /// Writes one event if `level` is at or above the minimum.
    /// Numbers (`Int`, `Double`) are JSON numbers in JSON Lines; text is redacted.
    public func log(_ level: Level, _ message: String, _ fields: [(String, any LogValue)] = []) {
        guard level >= minimumLevel else { return }
        let redactor = Redactor.shared
        let message = redactor.redact(message)
        let typed: [(String, JSONValue)] = fields.map { key, value in
            let json = value.logJSON
            if case .string(let text) = json { return (key, .string(redactor.redact(text))) }
            return (key, json)
        }
        let fields: [(String, String)] = typed.map { key, value in
            if case .string(let text) = value { return (key, text) }
            return (key, JSONWriter.compact(value))
        }
        let line: String
        switch format {
        case .json:
            var object = JSONObject()
            object["ts"] = .string(Timestamp.rfc3339(Timestamp.now(), fractional: true))
            object["level"] = .string(level.name)
            object["msg"] = .string(message)
            for (key, value) in typed where object[key] == nil { object[key] = value }
            line = JSONWriter.compact(.object(object))
        case .text:
            var text = isTerminal ? "" : Timestamp.rfc3339(Timestamp.now()) + " "
            text += usesColor ? styledLevel(level) : level.name
            text += ": " + message.replacingAll("\n", with: " ")
            for (key, value) in fields {
                let needsQuotes = value.isEmpty || value.contains(" ") || value.contains("\"") || value.contains("=")
                text += " \(key)=" + (needsQuotes ? quoted(value) : value)
            }
            line = text
        }
        emit(line)
    }

    private func quoted(_ value: String) -> String {
        var out = ""
        JSONWriter.appendString(value, into: &out)
        return out
    }

    private func styledLevel(_ level: Level) -> String {
        switch level {
        case .debug: return "\u{1B}[2mdebug\u{1B}[0m"
        case .info: return "info"
        case .warning: return "\u{1B}[33mwarning\u{1B}[0m"
        case .error: return "\u{1B}[31merror\u{1B}[0m"
        }
    }

    private func emit(_ line: String) {
        let kept = captured.withLock { list -> Bool in
            guard list != nil else { return false }
            list?.append(line)
            return true
        }
        if kept { return }
        if isTerminal && fileDescriptor == 2 {
            // Above the progress bars, which are drawn again below the line.
            StatusLine.shared.write(line + "\n")
            return
        }
        lock.withLock { _ in
            _ = FileOutput.writeAll(fileDescriptor, line + "\n")
        }
    }
}

/// A log field's value: text, or a number written as a JSON number in JSON Lines.
public protocol LogValue: Sendable {
    var logJSON: JSONValue { get }
}

extension String: LogValue {
    public var logJSON: JSONValue { .string(self) }
}

extension Int: LogValue {
    public var logJSON: JSONValue { .number(String(self)) }
}

extension Double: LogValue {
    /// Finite values as numbers; NaN and infinities (not JSON) as text.
    public var logJSON: JSONValue { isFinite ? .number(String(self)) : .string(String(self)) }
}

/// Writing whole strings to a file descriptor, retrying short writes and EINTR.
public enum FileOutput {
    @discardableResult
    public static func writeAll(_ fd: Int32, _ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }
}
