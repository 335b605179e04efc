import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncCatalogs

/// Rows an export cannot be trusted with: each is reported (or set aside with its key) and the
/// rows around it are read as they are.
@Suite struct DamagedRowTests {
    func csv(_ bytes: [UInt8], encoding: CatalogConfig.Encoding = .utf8, columns: [String] = ["k", "v"]) throws
        -> [String]
    {
        let directory = try TemporaryDirectory("damaged")
        let path = directory.path + "/export.csv"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var reader = try CSVCatalogReader(path: path, encoding: encoding, columns: columns)
        var items: [String] = []
        while let batch = reader.nextBatch(limit: 3) { items += batch.items().map(describe) }
        return items
    }

    func jsonl(_ bytes: [UInt8], columns: [String] = ["k", "v"]) throws -> [String] {
        let directory = try TemporaryDirectory("damaged")
        let path = directory.path + "/export.jsonl"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var reader = try JSONLinesCatalogReader(path: path, encoding: .utf8, columns: columns)
        var items: [String] = []
        while let item = reader.next() { items.append(describe(item)) }
        return items
    }

    func describe(_ item: CatalogItem) -> String {
        switch item {
        case .row(let row):
            let values = "row \(row.line): " + row.values.map { $0 ?? "nil" }.joined(separator: "|")
            return row.damage.isEmpty
                ? values : values + " damaged: " + row.damage.map(\.description).joined(separator: "; ")
        case .problem(let problem):
            return "problem \(problem.line): \(problem.reason) [\(problem.fragments.joined(separator: "|"))]"
        }
    }

    @Test func crOnlyLineEndsWithABrokenRowLoseNothingAfterIt() throws {
        let items = try csv(Array("k,v\rA,1\r\"B,2\rC,3\rD,4\r".utf8))
        #expect(
            items == [
                "row 2: A|1",
                "problem 3: broken quoting: the quote opened on line 3 is never closed [B,2\rC,3\rD,4\r]",
                "row 4: C|3", "row 5: D|4",
            ])
    }

    @Test func unclosedQuoteInOneRowDoesNotSwallowTheNextOne() throws {
        // The stray quote closes at the next row's quoted field: text follows it, so the record
        // is broken, and reading goes on from its second line.
        let text = "k,v\r\nNEW,\"unclosed\r\nPUB,\"published\"\r\nLAST,x\r\n"
        #expect(
            try csv(Array(text.utf8)) == [
                "problem 2: broken quoting: text after the closing quote of field 2 [NEW|unclosed\r\nPUB,]",
                "row 3: PUB|published", "row 4: LAST|x",
            ])
        // A swallowing record with the wrong number of fields is given up the same way.
        let more = "k,v\nNEW,\"a\nb\",c,d\nLAST,x\n"
        #expect(
            try csv(Array(more.utf8)) == [
                "problem 2: has 4 fields over lines 2-3, the header has 2: a stray quote? [NEW|a\nb|c|d]",
                "problem 3: broken quoting: a quote inside field 1 that does not start with one [b|c|d]",
                "row 4: LAST|x",
            ])
    }

    @Test func aFileEndingInsideARecordReportsTheTruncation() throws {
        let cut = try csv(Array("k,v\nA,1\nB,2".utf8))
        #expect(
            cut == [
                "row 2: A|1",
                "problem 3: the file ends inside this record, with no line end after it: is the export truncated? [B|2]",
            ])
        let cutInQuotes = try csv(Array("k,v\nA,1\nB,\"cut insi".utf8))
        #expect(
            cutInQuotes == [
                "row 2: A|1",
                "problem 3: the file ends inside the quoted field opened on line 3: is the export truncated? [B|cut insi]",
            ])
        #expect(
            try csv(Array("k,v\nA,1\nB".utf8)).last?.hasPrefix("problem 3: the file ends inside this record") == true)
    }

    @Test func aStrayByteOrderMarkIsDamageNeverPartOfAValue() throws {
        let bom = "\u{FEFF}"
        #expect(
            try csv(Array("\(bom)k,v\n\(bom)ZX2025000010,1\nB,x\(bom)y\n".utf8)) == [
                "row 2: ZX2025000010|1 damaged: column k: a byte-order mark (U+FEFF) inside the value",
                "row 3: B|xy damaged: column v: a byte-order mark (U+FEFF) inside the value",
            ])
        // With `auto`, a mark does not make the file GB18030.
        #expect(
            try csv(Array("k,v\n\(bom)杭州,1\n杭州,2\n".utf8), encoding: .auto) == [
                "row 2: 杭州|1 damaged: column k: a byte-order mark (U+FEFF) inside the value", "row 3: 杭州|2",
            ])
        // In GB18030: the UTF-8 mark (which GB18030 would read as 锘) and GB18030's own (84 31 95 33).
        let hangzhou: [UInt8] = [0xBA, 0xBC, 0xD6, 0xDD]
        let gb: [UInt8] =
            Array("k,v\r\n".utf8) + [0xEF, 0xBB, 0xBF] + hangzhou + Array(",1\r\n".utf8)
            + [0x84, 0x31, 0x95, 0x33] + Array("K2,2\r\n".utf8) + hangzhou + Array(",3\r\n".utf8)
        #expect(
            try csv(gb, encoding: .gb18030) == [
                "row 2: 杭州|1 damaged: column k: a byte-order mark (U+FEFF) inside the value",
                "row 3: K2|2 damaged: column k: a byte-order mark (U+FEFF) inside the value",
                "row 4: 杭州|3",
            ])
    }

    @Test func invalidBytesLeaveTheOtherValuesOfTheRow() throws {
        let bytes: [UInt8] = Array("k,v\r\nPUB1,".utf8) + [0x81, 0x20, 0xFF] + Array("\r\nPUB2,ok\r\n".utf8)
        #expect(
            try csv(bytes, encoding: .gb18030) == [
                "row 2: PUB1|nil damaged: column v: bytes that are not valid GB18030 (81 20 FF…)", "row 3: PUB2|ok",
            ])
    }

    @Test func aRowMissingACommaNamesTheTextsItHolds() throws {
        #expect(
            try csv(Array("k,v,w\nPUB1,1,2\nPUB2,12\n".utf8), columns: ["k", "v", "w"]) == [
                "row 2: PUB1|1|2", "problem 3: has 2 fields, the header has 3 [PUB2|12]",
            ])
    }

    @Test func duplicateHeaderNamesMakeTheFileUnusable() throws {
        do {
            _ = try csv(Array("k,决定日期,v,决定日期\n1,2,3,4\n".utf8), columns: ["k", "决定日期"])
            Issue.record("a header with 决定日期 twice was read")
        } catch let problem as RowProblem {
            #expect(problem.line == 1)
            #expect(problem.reason == #"the header names "决定日期" twice, in columns 2 and 4: rename or drop one of them"#)
        }
    }

    @Test func jsonLinesCutInHalfIsReportedAsTruncated() throws {
        let items = try jsonl(Array("{\"k\": \"A\", \"v\": \"1\"}\n{\"k\": \"PUB\", \"v\": \"cut".utf8))
        #expect(
            items == [
                "row 1: A|1",
                "problem 2: the file ends inside this line, with no line end after it: is the export truncated? "
                    + "invalid JSON: unterminated string at column 19 [k|PUB|v|cut]",
            ])
    }

    @Test func jsonLinesByteOrderMarksAndNonTextValuesAreDamage() throws {
        let bom = "\u{FEFF}"
        let text =
            "{\"k\": \"A\"}\r\(bom){\"k\": \"PUB\", \"v\": \"1\"}\r\n{\"k\": \"B\", \"v\": [\"x\", {\"y\": 1}]}\n"
            + "{\"k\": \"C\", \"v\": {\"y\": \"z\"}}\n{\"k\": \"D\", \"v\": \"a\(bom)b\"}\n{\"k\": \"E\", \"v\": [\"x\", 2]}\n"
        #expect(
            try jsonl(Array(text.utf8)) == [
                "row 1: A|nil",
                "row 2: PUB|1 damaged: a byte-order mark (U+FEFF) before the line",
                "row 3: B|nil damaged: column v: an array holding an object where text belongs",
                "row 4: C|nil damaged: column v: an object where text belongs",
                "row 5: D|ab damaged: column v: a byte-order mark (U+FEFF) inside the value",
                "row 6: E|x;2",
            ])
    }
}
