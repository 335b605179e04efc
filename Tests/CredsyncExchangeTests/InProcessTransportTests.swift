import CredsyncCore
import Foundation
import CredsyncProtocol
import CredsyncExchange
import TestSupport
import Testing

@testable import CredsyncSandbox

/// A transport that hands each request to the sandbox's router in this process, no socket in
/// between (swift-nio's EmbeddedChannel, Hummingbird's test client): the platform client's
/// signing, flow control, retries and answer classification run as they do over libcurl.
struct RouterTransport: HTTPTransport {
    let handler: HTTPServer.Handler

    func send(_ request: HTTPRequest) async -> Result<HTTPResponse, TransportError> {
        // `http://127.0.0.1:8719/credit/exchange/v1/batches?x` → `/credit/exchange/v1/batches?x`.
        let afterScheme = request.url.range(of: "://").map { request.url[$0.upperBound...] } ?? request.url[...]
        let target = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.lowercased()] = value }
        let answer = handler(
            ServerRequest(
                method: request.method, target: target, headers: headers, body: request.body, fromLoopback: true))
        switch answer.disposition {
        case .normal: break
        case .resetMidResponse, .resetWithoutAnswer:
            return .failure(TransportError(.reset, url: request.url, detail: "in-process router"))
        case .stall: return .failure(TransportError(.timeout, url: request.url, detail: "in-process router"))
        }
        var responseHeaders: [String: String] = [:]
        for (name, value) in answer.headers { responseHeaders[name.lowercased()] = value }
        return .success(HTTPResponse(status: answer.status, headers: responseHeaders, body: answer.body))
    }
}

@Suite struct InProcessTransportTests {
    @Test func aPushThroughTheRouterInProcessIsSignedAcceptedAndClassified() async throws {
        let directory = try TemporaryDirectory("in-process")
        let sandbox = try Sandbox(
            arguments: [
                "--listen", "127.0.0.1:0", "--state-dir", directory.path + "/state",
                "--app", "\(SandboxProcess.appID):SANDBOX_TEST_SECRET",
                "--formats", Binaries.packageRoot + "/mappings/formats",
            ],
            environment: ["SANDBOX_TEST_SECRET": SandboxProcess.secret])
        // The server is bound (port 0) but never started: every request goes through the router.
        let config = PlatformConfig(
            id: .credit, baseURL: "http://127.0.0.1:1/credit/exchange/v1", appID: SandboxProcess.appID,
            secret: SandboxProcess.secret, connectTimeout: 2, requestTimeout: 5, requestsPerSecond: 1000, burst: 1000,
            concurrency: 4)
        let client = PlatformClient(
            config: config, source: SandboxProcess.source, retry: RetryPolicy(), logger: .capturing(),
            transport: RouterTransport(handler: sandbox.handler))
        let batch = Batch(
            dataset: .license, source: SandboxProcess.source,
            records: [
                .upsert(key: "k1", payload: SamplePayloads.license(1)),
                .withdraw(key: "never-published", reason: .expired),
            ])
        let outcomes = await client.push(batch).outcomes.map(\.outcome)
        #expect(outcomes.first == .accepted(version: 1))
        let notFound = FieldError(code: "E_NOT_FOUND", field: nil, message: "no published record with this key")
        #expect(outcomes.last == .rejected([notFound]))
        let again = await client.push(
            Batch(
                dataset: .license, source: SandboxProcess.source,
                records: [.upsert(key: "k1", payload: SamplePayloads.license(1))]))
        #expect(again.outcomes.map(\.outcome) == [.unchanged])
        withExtendedLifetime(directory) {}
    }
}
