#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore
import Foundation
import Synchronization

/// A small HTTP/1.1 server on POSIX sockets, for loopback only: keep-alive, a thread per
/// connection (bounded), limits on headers, bodies and slow clients.
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (ServerRequest) -> ServerResponse

    public struct Limits: Sendable {
        public var maxHeaderBytes = 16 << 10
        public var maxBodyBytes = 8 << 20
        public var requestTimeout = 10.0
        public var idleTimeout = 30.0
        public var maxConnections = 256
        public init() {}
    }

    private let listener: Int32
    /// The port actually bound (useful with port 0).
    public let port: Int
    public let host: String
    private let handler: Handler
    private let limits: Limits
    private let openConnections = Mutex(0)

    /// Binds `host:port` (loopback addresses only) and starts listening; `start()` begins serving.
    public init(host: String, port: Int, limits: Limits = Limits(), handler: @escaping Handler) throws(CredsyncError) {
        guard host == "127.0.0.1" || host.hasPrefix("127.") || host == "localhost" else {
            throw CredsyncError(.usage, "the sandbox listens on loopback only, not on \(host)", hint: "use 127.0.0.1")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CredsyncError(.ioError, "socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 512) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw CredsyncError(
                .unavailable, "cannot listen on \(host):\(port): \(reason)", hint: "choose another --listen port")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.host = host
        self.handler = handler
        self.limits = limits
    }

    /// Accepts connections on a thread of its own.
    public func start() {
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "sandbox-accept"
        thread.start()
    }

    private func acceptLoop() {
        while true {
            var peer = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let fd = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) }
            }
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED || errno == EMFILE { continue }
                return
            }
            let admitted = openConnections.withLock { count -> Bool in
                guard count < limits.maxConnections else { return false }
                count += 1
                return true
            }
            guard admitted else {
                close(fd)
                continue
            }
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let loopback = (UInt32(bigEndian: peer.sin_addr.s_addr) >> 24) == 127
            let thread = Thread { [self] in
                serve(fd, fromLoopback: loopback)
                close(fd)
                openConnections.withLock { $0 -= 1 }
            }
            thread.stackSize = 512 << 10
            thread.start()
        }
    }

    private func serve(_ fd: Int32, fromLoopback: Bool) {
        var reader = RequestReader(
            socket: fd, maxHeaderBytes: limits.maxHeaderBytes, maxBodyBytes: limits.maxBodyBytes,
            requestTimeout: limits.requestTimeout, idleTimeout: limits.idleTimeout)
        while true {
            let request: ServerRequest
            do {
                request = try reader.next(fromLoopback: fromLoopback)
            } catch {
                if case .malformed(let status, let message) = error {
                    let code = status == 413 ? "TOO_LARGE" : "BAD_REQUEST"
                    var response = SandboxJSON.error(status, code: code, message: message)
                    response.headers.append(("Connection", "close"))
                    write(response, to: fd, keepAlive: false)
                }
                return
            }
            let response = handler(request)
            if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
            let keepAlive = request.header("connection")?.lowercased() != "close"
            switch response.disposition {
            case .normal:
                guard write(response, to: fd, keepAlive: keepAlive), keepAlive else { return }
            case .resetWithoutAnswer:
                reset(fd)
                return
            case .resetMidResponse:
                let bytes = serialize(response, keepAlive: true)
                _ = sendAll(fd, Array(bytes.prefix(max(1, bytes.count / 2))))
                reset(fd)
                return
            case .stall(let seconds):
                Thread.sleep(forTimeInterval: seconds)
                return
            }
        }
    }

    private func reset(_ fd: Int32) {
        var lingering = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lingering, socklen_t(MemoryLayout<linger>.size))
    }

    private func serialize(_ response: ServerResponse, keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(response.status) \(ServerResponse.reasons[response.status] ?? "Status")\r\n"
        for (name, value) in response.headers where name.lowercased() != "content-length" {
            head += "\(name): \(value)\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\n"
        if !keepAlive && !response.headers.contains(where: { $0.0 == "Connection" }) { head += "Connection: close\r\n" }
        head += "\r\n"
        return Array(head.utf8) + response.body
    }

    @discardableResult
    private func write(_ response: ServerResponse, to fd: Int32, keepAlive: Bool) -> Bool {
        sendAll(fd, serialize(response, keepAlive: keepAlive))
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes {
                send(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }
}
