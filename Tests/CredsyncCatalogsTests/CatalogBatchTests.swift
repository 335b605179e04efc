#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncCatalogs

/// Decoding by table, and rows handed over in batches to be decoded on the mapping threads.
@Suite struct CatalogBatchTests {
    /// `bytes` converted by iconv in one call, as the reader did before the tables.
    func iconvText(_ bytes: [UInt8]) -> String? {
        guard let handle = iconv_open("UTF-8", "GB18030"), Int(bitPattern: handle) != -1 else { return nil }
        defer { iconv_close(handle) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        let produced: Int? = input.withUnsafeMutableBytes { inBytes in
            output.withUnsafeMutableBytes { outBytes in
                var inPointer = inBytes.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = inBytes.count
                var outPointer = outBytes.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = outBytes.count
                let result = iconv(handle, &inPointer, &inLeft, &outPointer, &outLeft)
                return result == -1 || inLeft != 0 ? nil : outBytes.count - outLeft
            }
        }
        return produced.map { String(decoding: output[0..<$0], as: UTF8.self) }
    }

    func tableText(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { TextDecoder(choice: .gb18030).decode($0) }
    }

    @Test func tableAgreesWithIconvOnEveryTwoByteCode() {
        var disagreements: [String] = []
        for lead in 0x81...0xFE {
            for trail in 0x00...0xFF where !(0x30...0x39).contains(trail) {
                // Each code between ASCII letters, so a bad one cannot hide at a field's edge.
                let bytes: [UInt8] = [0x61, UInt8(lead), UInt8(trail), 0x62]
                let expected = iconvText(bytes)
                let found = tableText(bytes)
                if found != expected {
                    disagreements.append(
                        String(
                            format: "%02X %02X: %@ against %@", lead, trail, found ?? "invalid", expected ?? "invalid"))
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }

    @Test func tableAgreesWithIconvOnFourByteCodesAndBrokenOnes() {
        let samples: [[UInt8]] = [
            [0x95, 0x34, 0xB2, 0x35],  // 𠮷, U+20BB7
            [0x81, 0x30, 0x81, 0x30],  // U+0080
            [0x84, 0x31, 0xA4, 0x39],  // U+FFFF
            [0x90, 0x30, 0x81, 0x30],  // U+10000
            [0xE3, 0x32, 0x9A, 0x35],  // U+10FFFF
            [0x81, 0x30, 0x81],  // cut short
            [0x81, 0x30, 0x20, 0x30],  // broken third byte
            [0xBA, 0xBC, 0x81],  // a lead byte at the end
            [0x80], [0xFF], [0xBA, 0xBC, 0xD6, 0xDD, 0x41, 0x95, 0x34, 0xB2, 0x35],
        ]
        for bytes in samples {
            #expect(tableText(bytes) == iconvText(bytes), "\(bytes.map { String($0, radix: 16) })")
        }
    }

    /// A file read row by row and batch by batch gives the same items, in the same order.
    @Test func batchesHoldTheSameItemsAsRowByRow() throws {
        let directory = try TemporaryDirectory("batch")
        var bytes = Array("a,b,c\r\n".utf8)
        for i in 0..<700 {
            switch i % 7 {
            case 0: bytes += Array("\(i),\"multi\nline, \"\"quoted\"\"\",x\r\n".utf8)
            case 1: bytes += Array("\(i),too,many,fields\r\n".utf8)
            case 2: bytes += Array("\(i),\"broken\"quote,y\r\n".utf8)
            case 3: bytes += Array("\(i),".utf8) + [0xBA, 0xBC, 0xD6, 0xDD] + Array(",z\r\n".utf8)
            case 4: bytes += Array("\(i),".utf8) + [0x81, 0x20] + Array(",bad\r\n".utf8)
            default: bytes += Array("\(i),plain,w\r\n".utf8)
            }
        }
        let path = directory.path + "/export.csv"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var single = try CSVCatalogReader(path: path, encoding: .gb18030, columns: ["c", "a", "b"])
        var one: [String] = []
        while let item = single.next() { one.append(describe(item)) }
        var batched = try CSVCatalogReader(path: path, encoding: .gb18030, columns: ["c", "a", "b"])
        var many: [String] = []
        var batches = 0
        while let batch = batched.nextBatch(limit: 64) {
            many += batch.items().map(describe)
            batches += 1
        }
        #expect(one.count == 700)
        #expect(
            many == one,
            "the first difference: \(zip(many, one).first { $0 != $1 }.map { "\($0) against \($1)" } ?? "in the count")"
        )
        #expect(batches == 11)
        #expect(
            Array(one.prefix(5)) == [
                "row 2: x|0|multi\nline, \"quoted\"", "problem 4: has 4 fields, the header has 3",
                "problem 5: broken quoting: text after the closing quote of field 2", "row 6: z|3|杭州",
                "damaged 7: column b: bytes that are not valid GB18030 (81 20…)",
            ])
    }

    /// Values repeated from the row before are taken again, never mixed up with a neighbour's:
    /// the same bytes in another column, a value that changes back, a row that cannot be read.
    @Test func repeatedValuesAreTakenAgainExactly() throws {
        let directory = try TemporaryDirectory("repeat")
        let hangzhou: [UInt8] = [0xBA, 0xBC, 0xD6, 0xDD]
        var bytes = Array("a,b,c\n".utf8)
        bytes += hangzhou + Array(",x,".utf8) + hangzhou + Array("\n".utf8)
        bytes += hangzhou + Array(",x,x\n".utf8)
        bytes += hangzhou + Array(",".utf8) + [0x81, 0x20] + Array(",x\n".utf8)
        bytes += Array(",x,\n".utf8)
        bytes += hangzhou + Array(",y, x \n".utf8)
        bytes += hangzhou + Array(",y, x \n".utf8)
        let path = directory.path + "/export.csv"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var reader = try CSVCatalogReader(path: path, encoding: .gb18030, columns: ["c", "a", "b"])
        var items: [String] = []
        while let batch = reader.nextBatch(limit: 4) { items += batch.items().map(describe) }
        #expect(
            items == [
                "row 2: 杭州|杭州|x", "row 3: x|杭州|x", "damaged 4: column b: bytes that are not valid GB18030 (81 20…)",
                "row 5: ||x", "row 6:  x |杭州|y", "row 7:  x |杭州|y",
            ])
    }

    /// With `auto`, a file whose first rows are ASCII is decided by the first row that is not,
    /// even when that row comes in a later batch than the ones that went before.
    @Test func autoIsDecidedInFileOrderAcrossBatches() throws {
        let directory = try TemporaryDirectory("auto")
        var bytes = Array("a,b\n".utf8)
        for i in 0..<100 { bytes += Array("\(i),ascii\n".utf8) }
        bytes += [0xBA, 0xBC, 0xD6, 0xDD] + Array(",1\n".utf8)
        bytes += Array("杭州,2\n".utf8)
        let path = directory.path + "/export.csv"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var reader = try CSVCatalogReader(path: path, encoding: .auto, columns: ["a", "b"])
        var items: [CatalogItem] = []
        while let batch = reader.nextBatch(limit: 16) { items += batch.items() }
        let last = items.suffix(2).map(describe)
        // GB18030 was chosen by the first non-ASCII row: the UTF-8 row after it is read as GB18030
        // too (one file, one encoding), not switched back.
        #expect(last[0] == "row 102: 杭州|1")
        #expect(last[1].hasPrefix("row 103: ") && last[1] != "row 103: 杭州|2")
    }

    func describe(_ item: CatalogItem) -> String {
        switch item {
        case .row(let row) where !row.damage.isEmpty:
            return "damaged \(row.line): " + row.damage.map(\.description).joined(separator: "; ")
        case .row(let row): return "row \(row.line): " + row.values.map { $0 ?? "nil" }.joined(separator: "|")
        case .problem(let problem): return "problem \(problem.line): \(problem.reason)"
        }
    }
}
