import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncExchange
@testable import CredsyncProtocol

/// libcurl failures become typed errors naming what failed and the URL.
@Suite struct TransportTests {
    func send(_ url: String, _ configure: (inout HTTPClientOptions) -> Void = { _ in }) async -> Result<
        HTTPResponse, TransportError
    > {
        var options = HTTPClientOptions()
        options.connectTimeout = 2
        options.requestTimeout = 2
        configure(&options)
        return await HTTPClient(options: options).send(HTTPRequest(method: "GET", url: url))
    }

    func kind(_ result: Result<HTTPResponse, TransportError>) -> TransportError.Kind? {
        if case .failure(let error) = result { return error.kind }
        return nil
    }

    @Test func refusedConnectionIsAConnectError() async throws {
        let sandbox = try SandboxProcess()
        let port = sandbox.port
        sandbox.stop()
        let result = await send("http://127.0.0.1:\(port)/credit/exchange/v1/x")
        #expect(kind(result) == .connect)
        if case .failure(let error) = result {
            #expect(error.description.hasPrefix("http://127.0.0.1:\(port)/credit/exchange/v1/x: could not connect"))
        }
    }

    @Test func unknownHostIsANameResolutionError() async {
        #expect(kind(await send("http://no-such-host.invalid/x")) == .nameResolution)
    }

    @Test func stalledAnswerIsATimeout() async throws {
        let sandbox = try SandboxProcess()
        try sandbox.admin("POST", "script", ["platform": "credit", "faults": ["stall:4"]])
        #expect(kind(await send(sandbox.baseURL(.credit) + "/datasets/license/records")) == .timeout)
    }

    @Test func resetWithoutAnswerIsAReset() async throws {
        let sandbox = try SandboxProcess()
        try sandbox.admin("POST", "script", ["platform": "credit", "faults": ["reset"]])
        #expect(kind(await send(sandbox.baseURL(.credit) + "/datasets/license/records")) == .reset)
    }

    @Test func responseOverTheCapIsRefused() async throws {
        let sandbox = try SandboxProcess()
        let result = await send(sandbox.baseURL(.credit) + "/datasets/license/records") { $0.maxResponseBytes = 1024 }
        #expect(kind(result) == nil)  // a 401 error body is small
        let stats = await send("http://127.0.0.1:\(sandbox.port)/_admin/stats") { $0.maxResponseBytes = 1 }
        #expect(kind(stats) == .responseTooLarge)
    }
}
