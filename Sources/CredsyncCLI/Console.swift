public import CredsyncCore
import Synchronization

/// Where a command's output goes: standard output and error, or memory in tests.
public final class Console: Sendable {
    private let isCapturing: Bool
    private let captured = Mutex<(out: String, err: String)>(("", ""))

    /// The process's stdout and stderr.
    public static let standard = Console(capturing: false)

    /// A console that keeps what is written, for tests.
    public static func capturing() -> Console { Console(capturing: true) }

    private init(capturing: Bool) {
        isCapturing = capturing
    }

    /// What was written to stdout (capturing consoles only).
    public var output: String { captured.withLock { $0.out } }
    /// What was written to stderr (capturing consoles only).
    public var errorOutput: String { captured.withLock { $0.err } }

    /// Writes `text` and a newline to stdout, secrets redacted and personal numbers masked.
    public func print(_ text: String) {
        write(Redactor.shared.redact(text) + "\n", toError: false)
    }

    /// Writes `text` and a newline to stdout as it is: only for what a platform is sent (`map`).
    public func printSent(_ text: String) {
        write(text + "\n", toError: false)
    }

    /// Writes each line and a newline to stdout, in 64 KiB writes rather than one per line,
    /// redacted and masked as `print(_:)` is.
    public func print(lines: some Sequence<String>) {
        var chunk = ""
        chunk.reserveCapacity(1 << 16)
        for line in lines {
            chunk += line
            chunk += "\n"
            if chunk.utf8.count >= 1 << 16 {
                write(Redactor.shared.redact(chunk), toError: false)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty { write(Redactor.shared.redact(chunk), toError: false) }
    }

    /// Writes `text` and a newline to stderr, with secrets redacted.
    public func printError(_ text: String) {
        write(Redactor.shared.redact(text) + "\n", toError: true)
    }

    /// Writes a JSON value as one line to stdout.
    public func printJSON(_ value: JSONValue) {
        print(JSONWriter.compact(value))
    }

    private func write(_ text: String, toError: Bool) {
        if isCapturing {
            captured.withLock { if toError { $0.err += text } else { $0.out += text } }
        } else {
            _ = FileOutput.writeAll(toError ? 2 : 1, text)
        }
    }
}
