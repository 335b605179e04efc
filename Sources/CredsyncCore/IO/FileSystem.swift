#if canImport(Glibc)
    public import Glibc
#endif

/// A failed file operation: which, on what path, and the system's reason.
public struct FileError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var reason: String { String(cString: strerror(errno)) }
    public var description: String { "\(path): cannot \(operation): \(reason)" }
    public var isNotFound: Bool { errno == ENOENT }
    public var isNoSpace: Bool { errno == ENOSPC || errno == EDQUOT }
}

/// POSIX file operations with the durability credsync's state needs: atomic replacement with
/// fsync of the file and of its directory.
public enum FileSystem {
    /// The whole file's bytes.
    public static func read(_ path: String) throws(FileError) -> [UInt8] {
        try read(name: path, in: AT_FDCWD)
    }

    /// The bytes of `name` inside an open directory: no path walk per file, for directories of
    /// many small files (the queues).
    public static func read(name: String, in directory: Int32) throws(FileError) -> [UInt8] {
        let fd = openat(directory, name, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(operation: "open", path: name, errno: errno) }
        defer { close(fd) }
        // A small file (a queue entry) is read in one 4 KiB call; a large one is sized up front.
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(operation: "read", path: name, errno: errno)
            }
            if n == 0 { break }
            let firstFilledTheChunk = result.isEmpty && n == chunk.count
            result.append(contentsOf: chunk[0..<n])
            if firstFilledTheChunk {
                var info = stat()
                if fstat(fd, &info) == 0, info.st_size > 0 {
                    result.reserveCapacity(Int(info.st_size) + 1)
                    chunk = [UInt8](repeating: 0, count: min(1 << 20, max(4096, Int(info.st_size))))
                }
            }
        }
        return result
    }

    /// The file as UTF-8 text (invalid sequences replaced).
    public static func readText(_ path: String) throws(FileError) -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    /// The widest modes credsync gives what it writes: files 0640, directories 0750. State,
    /// reports and quarantine hold personal data; no one outside the group reads them.
    public static let widestFileMode: mode_t = 0o640
    public static let widestDirectoryMode: mode_t = 0o750

    /// Replaces `path` atomically: writes `path.tmp-PID`, fsyncs it, renames it over `path`, fsyncs
    /// the directory. Killed at any instant, `path` holds the old content or the new, never a mix.
    /// The file gets `mode` within `widestFileMode` exactly, whatever the process's umask.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o640) throws(FileError) {
        try writeAtomically(path, bytes, mode: mode, group: nil)
    }

    /// Replaces `path` atomically as above; with `group`, the file is in that group with exactly
    /// `mode` (within `widestFileMode`), whatever the umask.
    public static func writeAtomically(
        _ path: String, _ bytes: [UInt8], mode: mode_t, group: gid_t?
    ) throws(FileError) {
        let temporary = path + ".tmp-\(getpid())"
        let mode = mode & widestFileMode
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError(operation: "create", path: temporary, errno: errno) }
        do throws(FileError) {
            if let group, fchown(fd, uid_t.max, group) != 0 {
                throw FileError(operation: "give group \(group) to", path: temporary, errno: errno)
            }
            guard fchmod(fd, mode) == 0 else {
                throw FileError(operation: "set the mode of", path: temporary, errno: errno)
            }
            try writeAll(fd, bytes, path: temporary)
            guard fsync(fd) == 0 else { throw FileError(operation: "fsync", path: temporary, errno: errno) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileError(operation: "rename into place", path: path, errno: code)
        }
        try syncDirectory(of: path)
    }

    /// Replaces `path` atomically with text.
    public static func writeAtomically(_ path: String, text: String, mode: mode_t = 0o640) throws(FileError) {
        try writeAtomically(path, Array(text.utf8), mode: mode)
    }

    /// Writes every byte to `fd`, retrying short writes and EINTR.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(FileError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(operation: "write", path: path, errno: errno)
            }
            offset += n
        }
    }

    /// fsyncs the directory holding `path`, so a rename in it survives a power cut.
    public static func syncDirectory(of path: String) throws(FileError) {
        let directory = parent(of: path)
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(operation: "open directory", path: directory, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileError(operation: "fsync directory", path: directory, errno: errno) }
    }

    /// Creates `path` and its parents (mode 0750, never wider), like `mkdir -p`.
    public static func createDirectory(_ path: String, mode: mode_t = 0o750) throws(FileError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode & widestDirectoryMode) != 0, errno != EEXIST {
                throw FileError(operation: "create directory", path: current, errno: errno)
            }
        }
    }

    /// Whether something exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Whether `path` is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The permission bits of `path`.
    public static func permissions(_ path: String) throws(FileError) -> mode_t {
        var info = stat()
        guard stat(path, &info) == 0 else { throw FileError(operation: "stat", path: path, errno: errno) }
        return info.st_mode & 0o7777
    }

    /// The names in a directory, without `.` and `..`, sorted.
    public static func list(_ directory: String) throws(FileError) -> [String] {
        guard let dir = opendir(directory) else {
            throw FileError(operation: "list", path: directory, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The directory part of `path` (`.` for a bare name).
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of `path`.
    public static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// `path` made absolute against `base` (a directory) when relative.
    public static func resolve(_ path: String, against base: String) -> String {
        if path.hasPrefix("/") { return path }
        let absoluteBase = base.hasPrefix("/") ? base : currentDirectory() + "/" + base
        return normalise(absoluteBase + "/" + path)
    }

    /// The working directory.
    public static func currentDirectory() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let ok = buffer.withUnsafeMutableBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { getcwd($0.baseAddress, $0.count) != nil }
        }
        guard ok else { return "." }
        return String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    /// `a/./b/../c` → `a/c`, textually.
    public static func normalise(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}
