#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore

/// Reading one file of the release's state directory for the import: whole, or line by line in
/// 1 MiB reads (a sent-payloads file of a large load is hundreds of MB), with its SHA-256 and
/// modification time. Every failure is a `CredsyncError` (exit 74) naming the file.
struct ImportFile {
    /// The path relative to the state directory (`ledger/credit/license.ledger`).
    let relative: String
    let path: String

    init(stateDir: String, relative: String) {
        self.relative = relative
        path = StatePaths(stateDir: stateDir).releaseFile(relative)
    }

    /// The file's bytes.
    func read() throws(CredsyncError) -> [UInt8] {
        do { return try FileSystem.read(path) } catch { throw StateImport.unreadable(error.description) }
    }

    /// The last modification, Unix seconds: the time the release's formats did not keep.
    func modified() -> Double {
        var info = stat()
        guard stat(path, &info) == 0 else { return Timestamp.now() }
        return Double(info.st_mtim.tv_sec)
    }

    /// The file's size and SHA-256 (hex), read in 1 MiB pieces.
    func checksum() throws(CredsyncError) -> (bytes: Int, sha256: String) {
        guard let hash = SHA256() else { throw StateImport.unreadable("\(path): SHA-256 is not available") }
        var total = 0
        try forEachChunk { chunk in
            hash.update(chunk)
            total += chunk.count
        }
        return (total, Hex.encode(hash.finalize()))
    }

    /// Calls `body` with each piece of the file, in order, up to 1 MiB each.
    func forEachChunk(_ body: (UnsafeRawBufferPointer) -> Void) throws(CredsyncError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StateImport.unreadable(FileError(operation: "open", path: path, errno: errno).description)
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StateImport.unreadable(FileError(operation: "read", path: path, errno: errno).description)
            }
            if count == 0 { return }
            buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }

    /// Calls `body` with each complete line (without its LF) and its number, from 1; returns the
    /// bytes after the last LF (a torn last line, empty when the file ends with LF).
    @discardableResult
    func forEachLine(
        _ body: (_ line: [UInt8], _ number: Int) throws(CredsyncError) -> Void
    ) throws(CredsyncError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StateImport.unreadable(FileError(operation: "open", path: path, errno: errno).description)
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var pending: [UInt8] = []
        var number = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StateImport.unreadable(FileError(operation: "read", path: path, errno: errno).description)
            }
            if count == 0 { return pending }
            var start = 0
            for index in 0..<count where buffer[index] == 0x0A {
                number += 1
                if pending.isEmpty {
                    try body(Array(buffer[start..<index]), number)
                } else {
                    pending += buffer[start..<index]
                    try body(pending, number)
                    pending = []
                }
                start = index + 1
            }
            pending += buffer[start..<count]
        }
    }
}
