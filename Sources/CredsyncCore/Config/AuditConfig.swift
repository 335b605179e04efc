#if canImport(Glibc)
    import Glibc
#endif

/// The audit log's evidence settings (`audit` in the configuration): the SM2 key pair that signs
/// each run's manifest, and how long audit files stay in place before they are archived.
public struct AuditConfig: Sendable {
    /// The least retention: six months (网络安全法 §21 asks for logs kept at least that long).
    public static let minimumRetentionDays = 183

    /// The SM2 private key (PEM, mode 0600 or 0400) that signs manifests; none: they are unsigned.
    public var signingKey: String?
    /// The SM2 public key (PEM) `audit verify` checks signatures with.
    public var verifyKey: String?
    /// Rotated audit files whose last line is older than this many days are moved to `archiveDir`.
    public var retentionDays = AuditConfig.minimumRetentionDays
    /// Where archived audit files go; default `<audit file's directory>/archive`.
    public var archiveDir: String?

    public init() {}

    /// The archive directory for the audit log at `auditFile`.
    public func archiveDirectory(auditFile: String) -> String {
        archiveDir ?? FileSystem.parent(of: auditFile) + "/archive"
    }
}

extension ConfigReading {
    /// Reads `audit`: `signingKey`, `verifyKey`, `retentionDays` (at least 183), `archiveDir`.
    func readAudit(_ reader: ObjectReader?) -> AuditConfig {
        var audit = AuditConfig()
        guard let reader else { return audit }
        if let file = reader.string("signingKey") {
            audit.signingKey = path(file)
            checkKey(reader, "signingKey", path(file), isPrivate: true)
        }
        if let file = reader.string("verifyKey") {
            audit.verifyKey = path(file)
            checkKey(reader, "verifyKey", path(file), isPrivate: false)
        }
        if let days = reader.int("retentionDays", in: 0...36600) {
            if days < AuditConfig.minimumRetentionDays {
                reader.problem(
                    "retentionDays", "\(days) is below the six months audit records must be kept",
                    hint: "use \(AuditConfig.minimumRetentionDays) or more")
            } else {
                audit.retentionDays = days
            }
        }
        audit.archiveDir = reader.string("archiveDir").map(path)
        if audit.signingKey == nil {
            reader.warning(
                "signingKey", "not set: run manifests are written unsigned",
                hint: "make an SM2 key pair (see the README, Audit evidence) and name it here")
        }
        reader.rejectUnknownKeys()
        return audit
    }

    /// A key file must be readable, an SM2 key of the right kind, and a private key its owner's only.
    private func checkKey(_ reader: ObjectReader, _ key: String, _ file: String, isPrivate: Bool) {
        if isPrivate {
            do {
                let mode = try FileSystem.permissions(file)
                if mode & 0o077 != 0 {
                    reader.problem(
                        key, "\"\(file)\" is readable by group or others (mode \(String(mode, radix: 8)))",
                        hint: "chmod 600 \(file)")
                    return
                }
            } catch {
                reader.problem(key, "\"\(file)\": \(error.reason)")
                return
            }
            // The private key is only read by the commands that sign.
            guard readsSecrets else { return }
        }
        do {
            let pem = try FileSystem.read(file)
            _ = isPrivate ? try SM2Key(privatePEM: pem) : try SM2Key(publicPEM: pem)
        } catch let error as FileError {
            reader.problem(key, "\"\(file)\": \(error.reason)")
        } catch let error as SM2Error {
            reader.problem(key, "\"\(file)\": \(error.description)")
        } catch {
            reader.problem(key, "\"\(file)\": \(error)")
        }
    }
}
