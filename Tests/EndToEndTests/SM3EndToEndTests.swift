import CredsyncCore
import CredsyncExchange
import Foundation
import TestSupport
import Testing
import CredsyncProtocol

/// HMAC-SM3 signatures (exchange-api.md 1.1, "Signature methods") through the real binaries: a
/// sandbox whose gsxt requires SM3, credit left on HMAC-SHA256.
@Suite struct SM3EndToEndTests {
    @Test func aPlatformRequiringSM3AcceptsHMACSM3AndRefusesHMACSHA256With401() throws {
        let sandbox = try SandboxProcess(["--require-sm3=gsxt"])

        let sha = try SyncEnvironment(sandbox: sandbox, platforms: [.gsxt])
        let refused = try sha.credsync(["sync"])
        #expect(refused.status != 0)
        let output = refused.stdout + refused.stderr
        #expect(output.contains("BAD_SIGNATURE") && output.contains("signature method HMAC-SM3 required"), "\(output)")
        #expect(try sandbox.holdings(.gsxt, .license).isEmpty)

        let sm3 = try SyncEnvironment(sandbox: sandbox, platforms: [.gsxt, .credit])
        try Self.setSignatureMethod("HMAC-SM3", of: .gsxt, in: sm3.configFile)
        let signed = try sm3.credsync(["sync"])
        #expect(signed.status == 1, "\(signed.stdout)\(signed.stderr)")  // the samples hold deliberately bad rows
        let totals = try sm3.totals()
        #expect(totals["rejected"] == 0 && totals["queued"] == 0 && totals["created"] == 703 + 876)
        #expect(try sandbox.holdings(.gsxt, .license).count == Fixture.exampleLicenses)
        #expect(try sandbox.holdings(.gsxt, .pledge).count == Fixture.examplePledges)
        #expect(try sandbox.holdings(.credit, .license).count == Fixture.exampleLicenses)
        // The reads of reconciliation are signed the same way.
        let reconciled = try sm3.credsync(["reconcile", "--platform", "gsxt"])
        #expect(!(reconciled.stdout + reconciled.stderr).contains("BAD_SIGNATURE"), "\(reconciled.stdout)")

        try Self.setSignatureMethod("HMAC-SM4", of: .gsxt, in: sm3.configFile)
        let check = try sm3.credsync(["check"])
        #expect(check.status == 78)
        #expect(check.stderr.contains(#"platforms[0].signatureMethod: "HMAC-SM4" is not one of HMAC-SHA256, HMAC-SM3"#))
        #expect(check.stderr.contains(#"did you mean "HMAC-SM3"?"#), "\(check.stderr)")
    }

    /// The sandbox verifies either method by its header; `--require-sm3` (every platform) refuses
    /// HMAC-SHA256 with the contract's message, named or not; an unknown method is refused by name.
    @Test func theSandboxVerifiesEitherMethodAndRequireSM3RefusesTheOthers() throws {
        let either = try SandboxProcess()
        #expect(try Self.signedGet(either, .hmacSHA256).status == 200)
        #expect(try Self.signedGet(either, .hmacSM3).status == 200)
        // An SM3 MAC sent without its header is checked as SHA-256, and does not match.
        let unnamed = try Self.signedGet(either, .hmacSM3) { $0.removeAll { $0.0 == SignatureMethod.headerName } }
        #expect(unnamed.status == 401 && unnamed.message == "the signature does not match the request")
        let unknown = try Self.signedGet(either, .hmacSHA256) { $0.append((SignatureMethod.headerName, "HMAC-MD5")) }
        #expect(unknown.status == 401 && unknown.code == "BAD_SIGNATURE")
        #expect(unknown.message == #"unknown signature method "HMAC-MD5": use HMAC-SHA256 or HMAC-SM3"#)

        let strict = try SandboxProcess(["--require-sm3"])
        for named in [false, true] {
            let refused = try Self.signedGet(strict, .hmacSHA256) {
                if named { $0.append((SignatureMethod.headerName, "HMAC-SHA256")) }
            }
            #expect(refused.status == 401 && refused.code == "BAD_SIGNATURE")
            #expect(refused.message == "signature method HMAC-SM3 required")
        }
        #expect(try Self.signedGet(strict, .hmacSM3).status == 200)
    }

    /// A signed `GET …/datasets/license/records` to credit, its headers changed by `adjust` after
    /// signing. Returns the status and the error's code and message.
    static func signedGet(
        _ sandbox: SandboxProcess, _ method: SignatureMethod, adjust: (inout [(String, String)]) -> Void = { _ in }
    ) throws -> (status: Int, code: String?, message: String?) {
        let path = "/credit/exchange/v1/datasets/license/records"
        let query = RequestSigner.canonicalQuery([("source", SandboxProcess.source)])
        var headers = try RequestSigner.headers(
            using: method, appID: SandboxProcess.appID, secret: SandboxProcess.secret, method: "GET", path: path,
            query: query, body: [])
        adjust(&headers)
        let request = HTTPRequest(
            method: "GET", url: "http://127.0.0.1:\(sandbox.port)\(path)?\(query)", headers: headers)
        let response = try HTTPClient(options: HTTPClientOptions()).sendBlocking(request).get()
        let error = (try? JSONParser.parse(response.body))?["error"]
        return (response.status, error?["code"]?.stringValue, error?["message"]?.stringValue)
    }

    @Test func theSandboxRefusesAnUnknownPlatformForRequireSM3() throws {
        let result = try Binaries.run(
            "credsync-sandbox", ["--app", "a:SM3_TEST_SECRET", "--require-sm3=gsxt,nope"],
            environment: ["SM3_TEST_SECRET": SandboxProcess.secret])
        #expect(result.status == 64)
        #expect(result.stderr.contains(#"--require-sm3: "nope" is not a platform"#), "\(result.stderr)")
    }

    /// Sets (or replaces) `signatureMethod` on `platform` in a SyncEnvironment's configuration.
    static func setSignatureMethod(_ method: String, of platform: PlatformID, in file: String) throws {
        var text = try String(contentsOfFile: file, encoding: .utf8)
        let id = #""id": "\#(platform.rawValue)""#
        for existing in ["HMAC-SHA256", "HMAC-SM3", "HMAC-SM4"] {
            text = text.replacingOccurrences(of: #"\#(id), "signatureMethod": "\#(existing)""#, with: id)
        }
        text = text.replacingOccurrences(of: id, with: #"\#(id), "signatureMethod": "\#(method)""#)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }
}
