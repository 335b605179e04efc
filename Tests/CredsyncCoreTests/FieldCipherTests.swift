import Foundation
import Testing

@testable import CredsyncCore

@Suite struct FieldCipherTests {
    let cipher: FieldCipher

    init() throws {
        cipher = FieldCipher(key: try DataKey.generate())
    }

    @Test func aSealedValueOpensUnderItsKeyAndContext() throws {
        let sealed = try cipher.seal("110101199003071234", context: "queue.payload")
        #expect(FieldCipher.isSealed(sealed))
        #expect(!sealed.contains("110101199003071234"))
        #expect(try cipher.open(sealed, context: "queue.payload") == "110101199003071234")
    }

    @Test func sealingTwiceGivesTwoDifferentValues() throws {
        let first = try cipher.seal("110101199003071234", context: "c")
        let second = try cipher.seal("110101199003071234", context: "c")
        #expect(first != second)
    }

    @Test func anAlteredValueOrAnotherContextOrAnotherKeyDoesNotOpen() throws {
        let sealed = try cipher.seal("110101199003071234", context: "ledger")
        var bytes = Array(sealed.utf8)
        let last = bytes.count - 1
        bytes[last] = bytes[last] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        #expect(throws: CryptoError.self) { try cipher.open(String(decoding: bytes, as: UTF8.self), context: "ledger") }
        #expect(throws: CryptoError.self) { try cipher.open(sealed, context: "queue") }
        let other = FieldCipher(key: try DataKey.generate())
        #expect(throws: CryptoError.self) { try other.open(sealed, context: "ledger") }
        #expect(throws: CryptoError.self) { try cipher.open(String(sealed.prefix(30)), context: "ledger") }
    }

    /// SM4-CTR against the real `openssl enc -sm4-ctr` with the same key and counter block.
    @Test func sm4CounterModeMatchesTheOpensslBinary() throws {
        let key = Array(0..<16).map { UInt8($0 * 7 + 1) }
        let iv = Array(0..<16).map { UInt8(255 - $0 * 3) }
        let plain = Array("个体工商户 110101199003071234 — 三十三个字节以上的文本".utf8)
        let ours = try SM4.counter(plain, key: key, iv: iv)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sm4-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("plain")
        try Data(plain).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["enc", "-sm4-ctr", "-K", Hex.encode(key), "-iv", Hex.encode(iv), "-in", input.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let theirs = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(ours == Array(theirs))
        #expect(try SM4.counter(ours, key: key, iv: iv) == plain)
    }

    @Test func aKeyFileIsWrittenPrivateNeverOverwrittenAndRefusedWhenOthersMayReadIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("data.key").path
        let key = try DataKey.generate()
        try key.write(to: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try DataKey.load(path) == key)
        #expect(throws: CredsyncError.self) { try DataKey.generate().write(to: path) }
        #expect(try DataKey.load(path) == key)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        do {
            _ = try DataKey.load(path)
            Issue.record("a group-readable key was accepted")
        } catch {
            #expect(error.exitCode == .configuration)
            #expect(error.hint == "chmod 600 \(path)")
        }
        #expect(throws: CredsyncError.self) { try DataKey.load(path + ".missing") }
    }
}
