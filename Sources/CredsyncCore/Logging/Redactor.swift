import Synchronization

/// Keeps every secret credsync has loaded and blanks them out of any text bound for a log, an
/// error, a report or the audit log. Secrets register themselves when the configuration loads them.
public final class Redactor: Sendable {
    /// The process-wide redactor every output goes through.
    public static let shared = Redactor()

    private let secrets = Mutex<[String]>([])

    public init() {}

    /// Adds a secret; values shorter than 4 characters are not registered (they would blank out
    /// ordinary words), and such short secrets are refused by the configuration check anyway.
    public func register(_ secret: String) {
        guard secret.count >= 4 else { return }
        secrets.withLock { list in
            if !list.contains(secret) { list.append(secret) }
        }
    }

    /// `text` with every registered secret replaced by `[redacted]` and personal numbers masked.
    public func redact(_ text: String) -> String {
        let list = secrets.withLock { $0 }
        // Secrets first: a numeric secret shaped like an ID number would otherwise be half masked, not
        // redacted.
        var result = text
        for secret in list where UTF8Text.contains(result, secret) {
            result = result.replacingAll(secret, with: "[redacted]")
        }
        return PersonalData.mask(result)
    }
}

extension String {
    /// Every occurrence of `target` replaced, without Foundation.
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
