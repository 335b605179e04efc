import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncCatalogs
@testable import CredsyncMapping
@testable import CredsyncFormats

/// The shortcuts of the map's hot path give what the plain way gives: values found again among a
/// batch's recent ones, 身份证号 checked on bytes, strings escaped in place, records streamed.
@Suite struct MapSpeedTests {
    /// The values of column `a` of a CSV holding `values`, read in batches as the mapping threads read them.
    func readBack(_ values: [String]) throws -> [String?] {
        let directory = try TemporaryDirectory("recent")
        let path = directory.path + "/values.csv"
        let lines = ["a,b"] + values.enumerated().map { "\"\($1)\",\($0)" }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        var reader = try CSVCatalogReader(path: path, encoding: .utf8, columns: ["a"])
        var read: [String?] = []
        while let batch = reader.nextBatch(limit: 1024) {
            for item in batch.items() {
                guard case .row(let row) = item else { continue }
                read.append(row.values[0])
            }
        }
        return withExtendedLifetime(directory) { read }
    }

    @Test func valuesThatShareTheirEndsAreNeverTakenForEachOther() throws {
        // Same length, same first and last eight bytes: the same slot, told apart by the bytes between.
        let alike = (0..<10).map { "AAAAAAAA\($0)许可ZZZZZZZZ" }
        let long = String(repeating: "浙江省知识产权局", count: 5)
        var values: [String] = []
        for k in 0..<3000 {
            values.append(k % 7 == 0 ? "" : alike[(k * 7 + k / 3) % alike.count])
            if k % 11 == 0 { values.append(long + "\(k % 2)") }
            if k % 13 == 0 { values.append("\u{3000}\(alike[k % 3])") }
        }
        #expect(try readBack(values) == values)
    }

    @Test func aColumnOfUniqueValuesReadsAlikeOnceItIsNoLongerLookedUp() throws {
        // Unique values past the trial, then repeats: read by comparing with the row before's only.
        var values = (0..<(RecentValues.trial * 2)).map { "ZJ-\($0)-许可编号" }
        values += (0..<300).map { ["重复的值", "重复的值", "另一个值", ""][$0 % 4] }
        #expect(try readBack(values) == values)
    }

    /// A 身份证号 with the right check character for its first 17 digits.
    func idNumber(_ first17: String) -> String {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(first17, weights).reduce(0) { $0 + ($1.0.wholeNumberValue ?? 0) * $1.1 }
        return first17 + String(Array("10X98765432")[sum % 11])
    }

    @Test func idCardCheckOnBytesAgreesWithTheGeneralOne() {
        let valid = ["11010519491231002", "33010619900307123", "44030620001231456", "51010720040229789"].map(idNumber)
        let invalid = [
            String(valid[0].dropLast()) + "0", idNumber("11010519490230002"), idNumber("11010500001231002"),
            String(valid[0].dropLast()) + "x", String(valid[0].dropLast()), valid[0] + "1",
            "１" + String(valid[1].dropFirst()), "A" + String(valid[1].dropFirst()), "", "许可编号许可编号许可编号许可编号许可编",
        ]
        for number in valid + invalid {
            #expect(Validator.idCardProblem(number) == NationalIdentifiers.idCardProblem(number), "\(number)")
        }
        #expect(valid.allSatisfy { Validator.idCardProblem($0) == nil })
    }

    @Test func stringsEscapedInPlaceAreWrittenAsAppendStringWritesThem() {
        for byte in UInt8(0)..<0x80 {
            let text =
                "a" + String(decoding: [byte], as: UTF8.self) + "中\"\\\n文"
                + String(decoding: [byte, byte], as: UTF8.self)
            var expected: [UInt8] = []
            JSONWriter.appendString(text, into: &expected)
            let bytes = Array(text.utf8)
            let written = [UInt8](unsafeUninitializedCapacity: bytes.count * 6 + 2) { out, count in
                guard let base = out.baseAddress else { return }
                count = bytes.withUnsafeBufferPointer { JSONWriter.writeString($0, to: base) }
            }
            #expect(written == expected, "byte \(byte)")
        }
    }

    @Test func streamHandsOverTheRecordsCollectKeepsInFileOrderDuplicatesLeftOut() throws {
        let (definition, sample) = try ReferenceMapping.sample(.license, "licenses.csv", .csv, .gb18030)
        let mapping = ExportMapping(
            catalog: sample, definition: definition, organisation: ReferenceMapping.organisation,
            today: ReferenceMapping.today)
        let whole = try mapping.collect()
        #expect(whole.setAside.contains { $0.reasons.contains { $0.rule == "E_DUPLICATE_KEY" } })
        var streamed: [MappedRecord] = []
        let export = try mapping.stream { streamed.append($0) }
        #expect(streamed.map(\.line) == whole.records.map(\.line))
        #expect(streamed.map(\.key) == whole.records.map(\.key))
        #expect(export.records.isEmpty && export.recordCount == whole.records.count)
        #expect(export.setAside.map(\.line) == whole.setAside.map(\.line))
        #expect(export.unreadable.map(\.line) == whole.unreadable.map(\.line))
    }
}
