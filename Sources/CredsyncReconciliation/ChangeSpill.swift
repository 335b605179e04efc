#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore
import Foundation

/// Where a plan's changes wait until they are pushed: an unlinked temporary file, written by the
/// mapping threads as records are planned and read back in plan order, so that a first load of a
/// million records never holds its payloads in memory. It is gone when the process ends.
public final class ChangeSpill: @unchecked Sendable {
    /// Where one change stands in the spill.
    public struct Place: Sendable, Equatable {
        var offset: UInt64
        var length: UInt32
    }

    private let lock = NSLock()
    private let descriptor: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var written: UInt64 = 0
    private var failure: String?

    /// A spill in `directory` (the system's temporary directory when nil).
    public init(directory: String? = nil) throws(CredsyncError) {
        let variable = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 }
        let base = directory ?? variable ?? "/tmp"
        var template = Array((base + "/credsync-plan-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard fd >= 0 else {
            throw CredsyncError(
                .ioError, "cannot create the plan's temporary file in \(base): \(String(cString: strerror(errno)))",
                hint: "set TMPDIR to a writable directory with room for the plan's payloads")
        }
        unlink(path)
        descriptor = fd
        buffer.reserveCapacity(Self.flushSize)
    }

    deinit { close(descriptor) }

    private static let flushSize = 1 << 20

    /// Appends one encoded change; safe from any thread.
    func append(_ bytes: [UInt8]) -> Place {
        lock.lock()
        defer { lock.unlock() }
        let place = Place(offset: written + UInt64(buffer.count), length: UInt32(bytes.count))
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushSize { flush() }
        return place
    }

    /// The bytes at `place`, or nil when the file cannot be read (the failure is kept for `check`).
    func read(_ place: Place) -> [UInt8]? {
        lock.lock()
        defer { lock.unlock() }
        if place.offset + UInt64(place.length) > written { flush() }
        guard failure == nil else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(place.length))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return pread(descriptor, base + done, raw.count - done, off_t(place.offset) + off_t(done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                failure =
                    "cannot read the plan's temporary file \(path): \(n < 0 ? String(cString: strerror(errno)) : "short read")"
                return nil
            }
            done += n
        }
        return bytes
    }

    /// Notes that what was read back could not be decoded.
    func fail(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        if failure == nil { failure = "the plan's temporary file \(path) is damaged: \(message)" }
    }

    /// Throws if a write or a read failed (a full temporary directory, say): the plan is incomplete.
    /// What is buffered is written first, so a plan learns of a full disk before anything is sent.
    public func check() throws(CredsyncError) {
        lock.lock()
        defer { lock.unlock() }
        flush()
        if let failure {
            throw CredsyncError(
                .ioError, failure, hint: "free space in the temporary directory (TMPDIR), then run again")
        }
    }

    /// Writes the buffer out; the lock is held.
    private func flush() {
        guard failure == nil, !buffer.isEmpty else { return }
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return pwrite(descriptor, base + done, raw.count - done, off_t(written) + off_t(done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                failure = "cannot write the plan's temporary file \(path): \(String(cString: strerror(errno)))"
                break
            }
            done += n
        }
        // After a failure the bytes are dropped (the plan is refused by `check`), never kept growing.
        written += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }
}
