#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection to a loopback port, for sending what no HTTP client would send.
public final class RawConnection {
    private let fd: Int32

    public init?(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if connected != 0 {
            close(fd)
            return nil
        }
    }

    deinit { close(fd) }

    public func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Everything the server sends until it closes or `timeout` seconds pass; and whether it closed.
    public func receiveUntilClosed(timeout: Double) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        let deadline = Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9 + timeout
        while true {
            clock_gettime(CLOCK_MONOTONIC, &spec)
            let remaining = deadline - (Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9)
            if remaining <= 0 { return (String(decoding: received, as: UTF8.self), false) }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, Int32(remaining * 1000)) <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += chunk[0..<n]
        }
    }

    /// Reads until `marker` appears in what was received, or `timeout` seconds pass.
    public func receive(until marker: String, timeout: Double) -> String {
        var received: [UInt8] = []
        var waited = 0.0
        while waited < timeout {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 100) <= 0 {
                waited += 0.1
                continue
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += chunk[0..<n]
            if String(decoding: received, as: UTF8.self).contains(marker) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }
}
