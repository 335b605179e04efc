#if canImport(Glibc)
    import Glibc
#endif

/// Reads HTTP/1.1 requests from a socket with limits: a deadline for each request (slow clients
/// are cut off), a cap on the header section and on the body. Malformed input is a `ReadFailure`
/// carrying the status to answer with, never a crash.
struct RequestReader {
    enum ReadFailure: Error {
        /// The peer closed or reset, or stayed idle too long between requests: close quietly.
        case closed
        /// Answer with this status and close.
        case malformed(Int, String)
    }

    let socket: Int32
    let maxHeaderBytes: Int
    let maxBodyBytes: Int
    /// Seconds a whole request may take once its first byte arrived.
    let requestTimeout: Double
    /// Seconds a kept-alive connection may stay idle.
    let idleTimeout: Double
    private var buffer: [UInt8] = []

    init(socket: Int32, maxHeaderBytes: Int, maxBodyBytes: Int, requestTimeout: Double, idleTimeout: Double) {
        self.socket = socket
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
    }

    /// The next request, or why there is none.
    mutating func next(fromLoopback: Bool) throws(ReadFailure) -> ServerRequest {
        // Idle wait for the first byte of a request.
        if buffer.isEmpty { try fill(deadline: now() + idleTimeout, idle: true) }
        let deadline = now() + requestTimeout
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = findHeaderEnd()
            if headerEnd == nil {
                if buffer.count > maxHeaderBytes {
                    throw .malformed(431, "the header section is larger than \(maxHeaderBytes) bytes")
                }
                try fill(deadline: deadline, idle: false)
            }
        }
        guard let end = headerEnd else { throw .closed }
        if end > maxHeaderBytes { throw .malformed(431, "the header section is larger than \(maxHeaderBytes) bytes") }
        guard let head = String(validating: buffer[0..<end], as: UTF8.self) else {
            throw .malformed(400, "the header section is not valid UTF-8")
        }
        buffer.removeFirst(end + 4)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)[...]
        guard let requestLine = lines.popFirst() else { throw .malformed(400, "empty request") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isUppercase }),
            parts[1].hasPrefix("/")
        else { throw .malformed(400, "malformed request line") }
        guard parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            throw .malformed(505, "only HTTP/1.1 is spoken here")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                !line.hasPrefix(" "), !line.hasPrefix("\t")
            else { throw .malformed(400, "malformed header line") }
            let name = line[..<colon].lowercased()
            guard name.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw .malformed(400, "malformed header name")
            }
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: " \t")
            if name == "content-length", let previous = headers[name], previous != value {
                throw .malformed(400, "conflicting Content-Length headers")
            }
            headers[name] = value
        }
        if headers["transfer-encoding"] != nil {
            throw .malformed(501, "Transfer-Encoding is not supported; send Content-Length")
        }
        var length = 0
        if let text = headers["content-length"] {
            guard let value = Int(text), value >= 0, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .malformed(400, "Content-Length is not a number")
            }
            length = value
        } else if parts[0] == "POST" || parts[0] == "PUT" {
            throw .malformed(411, "Content-Length is required")
        }
        if length > maxBodyBytes { throw .malformed(413, "the body is larger than \(maxBodyBytes) bytes") }
        while buffer.count < length { try fill(deadline: deadline, idle: false) }
        let body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        if headers["host"] == nil && parts[2] == "HTTP/1.1" { throw .malformed(400, "the Host header is required") }
        return ServerRequest(
            method: String(parts[0]), target: String(parts[1]), headers: headers, body: body, fromLoopback: fromLoopback
        )
    }

    private func findHeaderEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4)
        where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    private func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Reads more bytes, waiting at most until `deadline`.
    private mutating func fill(deadline: Double, idle: Bool) throws(ReadFailure) {
        let remaining = deadline - now()
        if remaining <= 0 { throw idle ? .closed : .malformed(408, "the request took too long") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(min(remaining, 3600) * 1000))
        if ready == 0 { throw idle ? .closed : .malformed(408, "the request took too long") }
        if ready < 0 {
            if errno == EINTR { return }
            throw .closed
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if n <= 0 { throw .closed }
        buffer.append(contentsOf: chunk[0..<n])
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
