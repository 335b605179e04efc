import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncCatalogs

@Suite struct CatalogReaderTests {
    /// Reads every item of a CSV file with the given bytes.
    func read(_ bytes: [UInt8], encoding: CatalogConfig.Encoding = .utf8, columns: [String] = ["a", "b"]) throws
        -> [CatalogItem]
    {
        let directory = try TemporaryDirectory("csv")
        let path = directory.path + "/export.csv"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var reader = try CSVCatalogReader(path: path, encoding: encoding, columns: columns)
        var items: [CatalogItem] = []
        while let item = reader.next() { items.append(item) }
        return items
    }

    func rows(_ items: [CatalogItem]) -> [[String?]] {
        items.compactMap { if case .row(let row) = $0 { return row.values } else { return nil } }
    }

    func problems(_ items: [CatalogItem]) -> [String] {
        items.compactMap {
            if case .problem(let problem) = $0 { return "line \(problem.line): \(problem.reason)" } else { return nil }
        }
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let text = "a,b\r\n\"x, y\",\"he said \"\"hi\"\"\"\r\n\"multi\nline\",z\r\n"
        let items = try read(Array(text.utf8))
        #expect(rows(items) == [["x, y", "he said \"hi\""], ["multi\nline", "z"]])
        // The second record starts on line 3 although the first spans one line only.
        if case .row(let row) = items[1] { #expect(row.line == 3) }
    }

    @Test func lfAndCRLFAndByteOrderMarkAndEmptyLines() throws {
        let text = "\u{FEFF}a,b\n1,2\r\n\n3,4\n"
        #expect(rows(try read(Array(text.utf8))) == [["1", "2"], ["3", "4"]])
    }

    @Test func columnsAreTakenByNameInTheMappingsOrder() throws {
        #expect(rows(try read(Array("b,a\n2,1\n".utf8))) == [["1", "2"]])
    }

    @Test func brokenRowsAreReportedAndReadingGoesOn() throws {
        let text = "a,b\n1,2\nx\"y,2\n\"ab\"c,2\n1,2,3\n\"never closed,2\n5,6\n"
        let items = try read(Array(text.utf8))
        #expect(
            problems(items) == [
                "line 3: broken quoting: a quote inside field 1 that does not start with one",
                "line 4: broken quoting: text after the closing quote of field 1",
                "line 5: has 3 fields, the header has 2",
                "line 6: broken quoting: the quote opened on line 6 is never closed",
            ])
        #expect(rows(items) == [["1", "2"], ["5", "6"]])
    }

    @Test func missingHeaderColumnMakesTheFileUnusable() throws {
        #expect(throws: RowProblem.self) { try read(Array("a,c\n1,2\n".utf8)) }
        do { _ = try read(Array("a,名称\n".utf8), columns: ["a", "名稱"]) } catch let problem as RowProblem {
            #expect(problem.line == 1)
            #expect(problem.reason == #"the header has no column "名稱", which the mapping needs; did you mean "名称"?"#)
        }
    }

    @Test func gb18030DecodesTwoAndFourByteCharacters() throws {
        // 杭州 in GB18030 is BA BC D6 DD; 𠮷 (U+20BB7) is the 4-byte sequence 95 34 B2 35.
        let bytes: [UInt8] =
            Array("a,b\r\n".utf8) + [0xBA, 0xBC, 0xD6, 0xDD] + Array(",".utf8) + [0x95, 0x34, 0xB2, 0x35] + [
                0x0D, 0x0A,
            ]
        #expect(rows(try read(bytes, encoding: .gb18030)) == [["杭州", "𠮷"]])
    }

    @Test func invalidGB18030BytesAreReportedWithTheColumn() throws {
        let bytes: [UInt8] = Array("a,b\n".utf8) + [0x81, 0x20] + Array(",x\n1,2\n".utf8)
        let items = try read(bytes, encoding: .gb18030)
        #expect(problems(items).isEmpty)
        #expect(rows(items) == [[nil, "x"], ["1", "2"]])
        if case .row(let row) = items[0] {
            #expect(row.damage.map(\.description) == ["column a: bytes that are not valid GB18030 (81 20…)"])
        }
    }

    @Test func autoChoosesUTF8ForValidUTF8AndGB18030Otherwise() throws {
        #expect(rows(try read(Array("a,b\n杭州,1\n".utf8), encoding: .auto)) == [["杭州", "1"]])
        let gbk: [UInt8] = Array("a,b\n".utf8) + [0xBA, 0xBC, 0xD6, 0xDD] + Array(",1\n".utf8)
        #expect(rows(try read(gbk, encoding: .auto)) == [["杭州", "1"]])
    }

    @Test func jsonLinesReadsValuesAndReportsBrokenLines() throws {
        let directory = try TemporaryDirectory("jsonl")
        let path = try directory.write(
            "export.jsonl", "{\"a\": \"x\", \"b\": null}\n\n[1]\n{\"a\": 5, \"b\": \"y\"}\n{\"a\": \n")
        var reader = try JSONLinesCatalogReader(path: path, encoding: .utf8, columns: ["a", "b"])
        var items: [CatalogItem] = []
        while let item = reader.next() { items.append(item) }
        #expect(rows(items) == [["x", nil], ["5", "y"]])
        #expect(
            problems(items) == [
                "line 3: expected a JSON object, found an array",
                "line 5: invalid JSON: unexpected end of input, expected a value at column 7",
            ])
    }
}
