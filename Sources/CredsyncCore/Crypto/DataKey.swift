#if canImport(Glibc)
    import Glibc
#endif

/// The data key that seals personal identifiers at rest (`dataKeyFile`): 16 bytes for SM4 and 32
/// for HMAC-SM3, random, in a file only its owner may read (mode 0600 or 0400).
///
/// The file is text: `credsync-data-key 1 <96 hex digits>` and a line feed. The key's id, the
/// first 8 hex digits of the SM3 of its bytes, is stored with each sealed value; the key itself
/// is never printed.
public struct DataKey: Sendable, Equatable {
    public let encryption: [UInt8]
    public let authentication: [UInt8]
    /// 8 hex digits naming the key, safe to show.
    public let id: String

    static let header = "credsync-data-key 1 "
    static let length = SM4.keyLength + SM3.digestLength

    init(bytes: [UInt8]) throws(CryptoError) {
        encryption = Array(bytes.prefix(SM4.keyLength))
        authentication = Array(bytes.suffix(SM3.digestLength))
        id = String(try SM3.hex(bytes).prefix(8))
    }

    /// A new random key.
    public static func generate() throws(CryptoError) -> DataKey {
        try DataKey(bytes: SecureRandom.bytes(length))
    }

    /// The key file's text.
    public var fileText: String { Self.header + Hex.encode(encryption + authentication) + "\n" }

    /// Writes a new key to `path`, mode 0600; never replaces an existing file.
    public func write(to path: String) throws(CredsyncError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let exists = errno == EEXIST
            throw CredsyncError(
                exists ? .usage : .ioError, FileError(operation: "create", path: path, errno: errno).description,
                hint: exists ? "a data key is never overwritten: choose another file" : nil)
        }
        defer { close(fd) }
        do throws(FileError) {
            try FileSystem.writeAll(fd, Array(fileText.utf8), path: path)
            guard fsync(fd) == 0 else { throw FileError(operation: "sync", path: path, errno: errno) }
        } catch {
            unlink(path)
            throw CredsyncError(.ioError, error.description)
        }
    }

    /// Reads the key in `path`. A missing file, a file others may read, or one that is not a key
    /// is exit 78 with the way out: nothing is sealed or opened under a key that is not right.
    public static func load(_ path: String) throws(CredsyncError) -> DataKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CredsyncError(
                .configuration, "dataKeyFile: " + FileError(operation: "read", path: path, errno: errno).description,
                hint: "write one with 'credsync key generate \(path)', or restore the office's key from its backup")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw CredsyncError(
                .configuration, "dataKeyFile \(path): mode \(String(mode, radix: 8)) lets others read the data key",
                hint: "chmod 600 \(path)")
        }
        let text: String
        do { text = try FileSystem.readText(path) } catch {
            throw CredsyncError(.configuration, "dataKeyFile: " + error.description)
        }
        let line = text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard line.hasPrefix(header), let bytes = Hex.decode(String(line.dropFirst(header.count))),
            bytes.count == length
        else {
            throw CredsyncError(
                .configuration, "dataKeyFile \(path): not a credsync data key (expected '\(header)' and 96 hex digits)",
                hint: "restore the key file from its backup; a new key cannot open values sealed under the old one")
        }
        do { return try DataKey(bytes: bytes) } catch {
            throw CredsyncError(.configuration, "dataKeyFile \(path): \(error.description)")
        }
    }
}
