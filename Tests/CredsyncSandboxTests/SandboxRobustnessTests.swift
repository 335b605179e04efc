import CredsyncCore
import Foundation
import TestSupport
import Testing

/// The sandbox's HTTP server against malformed, oversized and slow requests.
@Suite struct SandboxRobustnessTests {
    func exchange(_ sandbox: SandboxProcess, _ request: String) throws -> (text: String, closed: Bool) {
        let connection = try #require(RawConnection(port: sandbox.port))
        connection.send(request)
        return connection.receiveUntilClosed(timeout: 5)
    }

    @Test func malformedRequestLineIs400AndClosed() throws {
        let sandbox = try SandboxProcess()
        let answer = try exchange(sandbox, "GARBAGE\r\n\r\n")
        #expect(answer.text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(answer.closed)
    }

    @Test(arguments: [
        ("GET /x HTTP/2.0\r\nHost: a\r\n\r\n", "HTTP/1.1 505 "),
        ("GET /x HTTP/1.1\r\n\r\n", "HTTP/1.1 400 "),
        ("POST /credit/exchange/v1/datasets/license/batches HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 411 "),
        ("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 501 "),
        ("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "HTTP/1.1 400 "),
        ("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n", "HTTP/1.1 400 "),
        ("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n", "HTTP/1.1 413 "),
        ("GET /x HTTP/1.1\r\n folded: header\r\n\r\n", "HTTP/1.1 400 "),
    ])
    func brokenRequestsGetTheirStatus(request: String, statusLine: String) throws {
        let sandbox = try SandboxProcess()
        let answer = try exchange(sandbox, request)
        #expect(answer.text.hasPrefix(statusLine), "\(answer.text)")
        #expect(answer.closed)
    }

    @Test func oversizedHeadersAre431() throws {
        let sandbox = try SandboxProcess()
        let answer = try exchange(
            sandbox, "GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "a", count: 20_000) + "\r\n\r\n")
        #expect(answer.text.hasPrefix("HTTP/1.1 431 "))
    }

    @Test func slowClientIsCutOffAfterTheRequestTimeout() throws {
        let sandbox = try SandboxProcess(["--request-timeout", "1"])
        let connection = try #require(RawConnection(port: sandbox.port))
        connection.send("GET /credit/exchange/v1/datasets/license/records HTTP/1.1\r\nHost: a\r\n")
        let answer = connection.receiveUntilClosed(timeout: 10)
        #expect(answer.closed)
        #expect(answer.text.hasPrefix("HTTP/1.1 408 "))
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnectionAndSurvivesAbuse() throws {
        let sandbox = try SandboxProcess()
        for _ in 0..<20 { _ = try exchange(sandbox, "\u{0}\u{1}\u{2} junk\r\n\r\n") }
        let connection = try #require(RawConnection(port: sandbox.port))
        let request = "GET /_admin/stats HTTP/1.1\r\nHost: a\r\n\r\n"
        connection.send(request + request)
        let text =
            connection.receive(until: "}HTTP/1.1 200 OK", timeout: 5) + connection.receive(until: "}", timeout: 2)
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 3, "\(text)")
    }
}
