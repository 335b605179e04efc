import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncExchange
@testable import CredsyncProtocol

/// Pushes through Debian's nginx demanding a client certificate, in front of the sandbox.
@Suite(.serialized) struct MutualTLSTests {
    let sandbox: SandboxProcess
    let nginx: NginxProcess

    init() throws {
        sandbox = try SandboxProcess()
        nginx = try NginxProcess(upstreamPort: sandbox.port)
    }

    func push(host: String = "localhost", ca: String?, clientCertificate: Bool) async -> RecordOutcome? {
        var config = sandbox.platformConfig(.credit)
        config.baseURL = nginx.baseURL(host: host)
        config.caFile = ca
        if clientCertificate {
            config.clientCertificate = nginx.tls.clientCertificate
            config.clientKey = nginx.tls.clientKey
        }
        var retry = RetryPolicy()
        retry.attemptsInRun = 1
        let client = PlatformClient(config: config, source: SandboxProcess.source, retry: retry, logger: .capturing())
        let payload = SamplePayloads.license(1)
        let batch = Batch(
            dataset: .license, source: SandboxProcess.source, records: [.upsert(key: "k", payload: payload)])
        return await client.push(batch).outcomes.first?.outcome
    }

    @Test func pushSucceedsWithTheRightClientCertificate() async throws {
        #expect(await push(ca: nginx.tls.caCertificate, clientCertificate: true) == .accepted(version: 1))
        #expect(try sandbox.holdings(.credit, .license)["k"]?.version == 1)
    }

    @Test func pushWithoutClientCertificateFailsClearly() async {
        let outcome = await push(ca: nginx.tls.caCertificate, clientCertificate: false)
        guard case .permanent(let message) = outcome else { Issue.record("\(String(describing: outcome))"); return }
        #expect(message.contains("HTTP 400"))
        #expect(message.contains("No required SSL certificate was sent"))
    }

    @Test func untrustedServerCertificateIsRefused() async {
        let outcome = await push(ca: nginx.tls.otherCACertificate, clientCertificate: true)
        guard case .permanent(let message) = outcome else { Issue.record("\(String(describing: outcome))"); return }
        #expect(message.contains("the server's certificate could not be verified"), "\(message)")
        #expect(message.contains("https://localhost:\(nginx.port)/credit/exchange/v1/datasets/license/batches"))
    }

    @Test func wrongHostNameIsRefused() async {
        let outcome = await push(host: "127.0.0.2", ca: nginx.tls.caCertificate, clientCertificate: true)
        guard case .permanent(let message) = outcome else { Issue.record("\(String(describing: outcome))"); return }
        #expect(message.contains("does not match the host name"), "\(message)")
    }
}
