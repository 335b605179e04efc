#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore

/// A file's bytes, read in chunks of 1 MiB, with room to put bytes back and a mark to go back to.
struct ByteSource {
    private let fd: Int32
    private(set) var buffer: [UInt8] = []
    private(set) var position = 0
    private var atEnd = false
    /// Where `rewind()` goes back to in `buffer`; kept across refills while set.
    private var marked: Int?
    let path: String

    init(path: String) throws(RowProblem) {
        // Non-blocking, so a FIFO without a writer cannot hang the run; only regular files are read.
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        self.path = path
        if fd < 0 {
            throw RowProblem(file: path, line: 0, reason: "cannot open the export: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        let kind = fstat(fd, &info) == 0 ? info.st_mode & S_IFMT : 0
        guard kind == S_IFREG else {
            _ = Glibc.close(fd)
            throw RowProblem(file: path, line: 0, reason: "the export is not a regular file (\(Self.kindName(kind)))")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    }

    private static func kindName(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not readable as a file"
        }
    }

    func close() { _ = Glibc.close(fd) }

    /// The next byte, or nil at the end of the file.
    @inline(__always)
    mutating func next() -> UInt8? {
        if position == buffer.count, !refill() { return nil }
        let byte = buffer[position]
        position += 1
        return byte
    }

    /// The next byte without taking it.
    mutating func peek() -> UInt8? {
        if position == buffer.count, !refill() { return nil }
        return buffer[position]
    }

    /// Appends the bytes up to the next one a CSV reader must look at (a quote, LF or CR; outside
    /// quotes also a comma), without taking that one; returns how many it appended.
    @discardableResult
    mutating func copyRun(into out: inout [UInt8], quoted: Bool) -> Int {
        var copied = 0
        while true {
            if position == buffer.count, !refill() { return copied }
            let start = position
            let end = buffer.withUnsafeBufferPointer { bytes in
                var i = start
                if quoted {
                    while i < bytes.count, bytes[i] != 0x22, bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
                } else {
                    while i < bytes.count {
                        let byte = bytes[i]
                        if byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D { break }
                        i += 1
                    }
                }
                return i
            }
            out.append(contentsOf: buffer[start..<end])
            copied += end - start
            position = end
            if end < buffer.count { return copied }
        }
    }

    /// Puts `bytes` back in front of what is left to read.
    /// - Precondition: no mark is set.
    mutating func unread(_ bytes: ArraySlice<UInt8>) {
        buffer = Array(bytes) + buffer[position...]
        position = 0
    }

    /// Marks the next byte: `rewind()` reads again from here. The bytes from the mark on are kept
    /// until `rewind()` or `unmark()`.
    mutating func mark() { marked = position }

    /// Reads again from the mark, and drops it.
    mutating func rewind() {
        if let marked { position = marked }
        marked = nil
    }

    /// Drops the mark.
    mutating func unmark() { marked = nil }

    private mutating func refill() -> Bool {
        if atEnd { return false }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var n = 0
        repeat {
            n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        } while n < 0 && errno == EINTR
        if n <= 0 {
            atEnd = true
            return false
        }
        chunk.removeSubrange(n...)
        if let start = marked {
            buffer = Array(buffer[start...]) + chunk
            position -= start
            marked = 0
        } else {
            buffer = chunk
            position = 0
        }
        return true
    }
}
