import CredsyncCore
import Foundation
import TestSupport
import Testing

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
        #expect(try sandbox.holdings(.gsxt, .license).count == 321)
        #expect(try sandbox.holdings(.gsxt, .pledge).count == 240)
        #expect(try sandbox.holdings(.credit, .license).count == 321)
        // The reads of reconciliation are signed the same way.
        let reconciled = try sm3.credsync(["reconcile", "--platform", "gsxt"])
        #expect(!(reconciled.stdout + reconciled.stderr).contains("BAD_SIGNATURE"), "\(reconciled.stdout)")

        try Self.setSignatureMethod("HMAC-SM4", of: .gsxt, in: sm3.configFile)
        let check = try sm3.credsync(["check"])
        #expect(check.status == 78)
        #expect(check.stderr.contains(#"platforms[0].signatureMethod: "HMAC-SM4" is not one of HMAC-SHA256, HMAC-SM3"#))
        #expect(check.stderr.contains(#"did you mean "HMAC-SM3"?"#), "\(check.stderr)")
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
