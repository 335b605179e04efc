import CredsyncCore
import Foundation
import Testing
import TestSupport

@testable import CredsyncState

/// The import of a state directory written by the file-based release (fixtures/state-release,
/// made by its real binaries against the sandbox: see the README there).
@Suite struct StateImportTests {
    static let fixture = Binaries.packageRoot + "/fixtures/state-release/state"
    /// The queue entry the fixture holds in format 1.
    static let formatOneFile = "queue/gsxt/deferred/20261202T070838-09bcfae8"

    /// A copy of the fixture to import.
    func copy() throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory("import")
        let stateDir = directory.path + "/state"
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: stateDir)
        return (directory, stateDir)
    }

    /// Every file of the fixture, relative to it.
    func fixtureFiles() throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: Self.fixture)
        var files: [String] = []
        while let name = enumerator?.nextObject() as? String {
            if !FileSystem.isDirectory(Self.fixture + "/" + name) { files.append(name) }
        }
        return files.sorted()
    }

    func text(_ relative: String) throws -> String {
        try String(contentsOfFile: Self.fixture + "/" + relative, encoding: .utf8)
    }

    /// The `imported-<date>` directories of a state directory.
    func importedDirectories(_ stateDir: String) throws -> [String] {
        try FileSystem.list(stateDir).filter { $0.hasPrefix("imported-") }.map { stateDir + "/" + $0 }
    }

    @Test func importsEveryReleaseFileIntoTheTablesAndMovesItAside() throws {
        let (directory, stateDir) = try copy()
        _ = directory
        let files = try fixtureFiles()
        // What `StateStore(stateDir:)` does on its first open (the other tests go through it).
        let store = try StateStore(file: StateStore.path(stateDir: stateDir))
        let summary = try #require(try StateImport.run(store: store, stateDir: stateDir))
        #expect(summary.keptAside == ["queue/gsxt/corrupt/20261202T070838-0d1740640"])
        #expect(summary.queueEntries == files.filter { $0.hasPrefix("queue/") }.count - 1)
        #expect(summary.directory.hasPrefix(stateDir + "/imported-20"))
        #expect(try importedDirectories(stateDir) == [summary.directory])

        // Ledgers: every line of every ledger file, with its values.
        var ledgerRows = 0
        for file in files where file.hasSuffix(".ledger") {
            let parts = file.split(separator: "/")
            let platform = try #require(PlatformID(rawValue: String(parts[1])))
            let dataset = try #require(Dataset(rawValue: String(parts[2].dropLast(".ledger".count))))
            let lines = try text(file).split(separator: "\n").dropFirst().dropLast()
            #expect(try store.ledgerCount(platform: platform, dataset: dataset) == lines.count)
            for line in lines {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                let row = try #require(try store.ledgerRow(platform: platform, dataset: dataset, key: fields[5]))
                #expect(row.status == (fields[0] == "P" ? .published : .withdrawn))
                #expect(row.version == Int(fields[1]) && row.updatedAt == Int(fields[2]))
                #expect(row.hash == fields[3] && row.batch == fields[4])
                ledgerRows += 1
            }
        }
        #expect(ledgerRows > 0)

        // Sent payloads: the last line of each key, masked.
        var payloads = 0
        for file in files where file.hasSuffix(".sent.jsonl") {
            let parts = file.split(separator: "/")
            let platform = try #require(PlatformID(rawValue: String(parts[1])))
            let dataset = try #require(Dataset(rawValue: String(parts[2].dropLast(".sent.jsonl".count))))
            var last: [String: JSONObject] = [:]
            for line in try text(file).split(separator: "\n") {
                let json = try JSONParser.parse(String(line))
                last[try #require(json["key"]?.stringValue)] = json["payload"]?.objectValue
            }
            for (key, payload) in last {
                let stored = try #require(try store.acceptedPayload(platform: platform, dataset: dataset, key: key))
                #expect(try JSONParser.parse(stored) == .object(PersonalData.shown(payload)))
                payloads += 1
            }
        }
        #expect(payloads > 0)

        // Rejected lists.
        var rejected = 0
        for file in files where file.hasSuffix(".rejected.json") {
            let parts = file.split(separator: "/")
            let platform = try #require(PlatformID(rawValue: String(parts[1])))
            let dataset = try #require(Dataset(rawValue: String(parts[2].dropLast(".rejected.json".count))))
            for member in try #require(try JSONParser.parse(try text(file)).objectValue) {
                let row = try #require(try store.rejected(platform: platform, dataset: dataset, key: member.key))
                #expect(row.hash == member.value.stringValue)
                rejected += 1
            }
        }
        #expect(rejected > 0)

        // Export counts and cursors.
        let exports = try JSONParser.parse(try text("exports.json"))
        for member in try #require(exports.objectValue) {
            let dataset = try #require(Dataset(rawValue: member.key))
            #expect(try store.lastExportRecords(dataset: dataset) == member.value["records"]?.intValue)
        }
        let cursors = try JSONParser.parse(try text("enterprises/cursors.json"))
        let stored = try store.cursors()
        #expect(stored.count == 2)
        #expect(stored["enterprises"] == cursors["enterprises"]?.stringValue)
        #expect(stored["list"] == cursors["list"]?.stringValue)

        // Enterprises: every code of the journal, its last record; the list feed.
        var codes: [String: String] = [:]
        for line in try text("enterprises/enterprises.journal").split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 3).map(String.init)
            codes[fields[0]] = fields[3]
        }
        #expect(try store.database.integer("SELECT count(*) FROM enterprise") == codes.count)
        for (code, record) in codes {
            let row = try #require(try store.enterprise(uscc: code))
            #expect(row.record == (record == "-" ? nil : record))
        }
        let list = try text("enterprises/serious-illegal.jsonl").split(separator: "\n")
        #expect(try store.database.integer("SELECT count(*) FROM serious_illegal") == list.count)

        // Queue entries in every state, format 1 too.
        var entries = 0
        var states: Set<QueueState> = []
        for file in files where file.hasPrefix("queue/") && !file.contains("/corrupt/") {
            let parts = file.split(separator: "/").map(String.init)
            let bytes = try FileSystem.read(Self.fixture + "/" + file)
            let lines = bytes.split(separator: 0x0A, maxSplits: 2).map { Array($0) }
            let summary = try JSONParser.parse(lines[1])
            let id = try #require(summary["id"]?.stringValue)
            let row = try #require(try store.queueEntry(id: id))
            #expect(row.state.rawValue == parts[2] && row.platform.rawValue == parts[1])
            #expect(row.key == summary["key"]?.stringValue && row.attempts == summary["attempts"]?.intValue)
            #expect(row.nextAttempt == summary["nextAttempt"]?.doubleValue)
            let errors = try store.queueErrors(id: row.id)
            #expect(errors.count == summary["errors"]?.arrayValue?.count)
            #expect(errors.last?.status == summary["errors"]?.arrayValue?.last?["status"]?.intValue)
            let payload = lines.count == 3 ? try JSONParser.parse(lines[2]) : summary["payload"]
            let storedPayload = try store.queuePayload(id: row.id).map { try JSONParser.parse($0) }
            #expect(storedPayload == payload?.objectValue.map { .object(PersonalData.shown($0)) })
            states.insert(row.state)
            entries += 1
        }
        #expect(states == [.deferred, .hold, .dead])
        #expect(try store.database.integer("SELECT count(*) FROM queue") == entries)
        let formatOne = try FileSystem.read(Self.fixture + "/" + Self.formatOneFile)
        #expect(formatOne.starts(with: Array("credsync-spool 1 ".utf8)))
        #expect(try store.queuePayload(id: FileSystem.baseName(Self.formatOneFile)) != nil)

        // The old files, moved under imported-<date>/ with their relative paths, byte for byte.
        let aside = summary.directory
        for file in files {
            #expect(!FileSystem.exists(stateDir + "/" + file), "\(file) left in place")
            #expect(try FileSystem.read(aside + "/" + file) == FileSystem.read(Self.fixture + "/" + file))
        }
        for root in ["ledger", "queue", "enterprises", "exports.json"] {
            #expect(!FileSystem.exists(stateDir + "/" + root))
        }
        #expect(try StateCheck.run(file: store.path).isClean)

        // A second open imports nothing.
        #expect(try StateImport.run(store: store, stateDir: stateDir) == nil)
        let again = try StateStore(stateDir: stateDir)
        #expect(try again.database.integer("SELECT count(*) FROM queue") == entries)
        #expect(try again.database.integer("SELECT count(*) FROM imported_file") == files.count)
    }

    @Test func filesLeftByAFailedMoveAreMovedNotImportedAgain() throws {
        let (directory, stateDir) = try copy()
        _ = directory
        let queued = try StateStore(stateDir: stateDir).database.integer("SELECT count(*) FROM queue")
        #expect(queued ?? 0 > 0)
        let aside = try #require(try importedDirectories(stateDir).first)
        // The files back in place, as if the move had failed after the commit.
        for root in ["ledger", "queue", "enterprises", "exports.json"] {
            #expect(rename(aside + "/" + root, stateDir + "/" + root) == 0)
        }
        let store = try StateStore(stateDir: stateDir)
        #expect(try store.database.integer("SELECT count(*) FROM queue") == queued)
        #expect(!FileSystem.exists(stateDir + "/ledger"))
        #expect(FileSystem.exists(aside + "/" + Self.formatOneFile))
        // A file the import did not hold (the release ran again) is refused, the store kept.
        try FileManager.default.createDirectory(atPath: stateDir + "/ledger/credit", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: aside + "/ledger/credit/license.ledger", toPath: stateDir + "/ledger/credit/pledge.ledger")
        #expect(throws: CredsyncError.self) { try StateStore(stateDir: stateDir) }
    }

    @Test func aDamagedFileRefusesTheWholeImportAndTouchesNothing() throws {
        for (file, damage) in [("ledger/credit/license.ledger", "checksum"), (Self.formatOneFile, "bytes after")] {
            let (directory, stateDir) = try copy()
            _ = directory
            var bytes = try FileSystem.read(stateDir + "/" + file)
            if file.hasSuffix(".ledger") {
                bytes[bytes.count / 2] ^= 0x01
            } else {
                bytes.removeLast(7)  // torn
            }
            try FileSystem.writeAtomically(stateDir + "/" + file, bytes, mode: 0o644)
            let before = try fixtureFiles().map { try FileSystem.read(stateDir + "/" + $0) }
            do {
                _ = try StateStore(stateDir: stateDir)
                Issue.record("a damaged \(file) was imported")
            } catch {
                #expect(error.exitCode == .ioError)
                #expect(error.message.contains(stateDir + "/" + file) && error.message.contains(damage))
                #expect(error.hint?.contains(file.hasSuffix(".ledger") ? "--repair" : "corrupt") == true)
            }
            #expect(try fixtureFiles().map { try FileSystem.read(stateDir + "/" + $0) } == before)
            #expect(try importedDirectories(stateDir).isEmpty)
            let store = try StateStore(file: StateStore.path(stateDir: stateDir))
            for table in StateCheck.tables {
                #expect(try store.database.integer("SELECT count(*) FROM \(table)") == 0, "\(table) holds rows")
            }
        }
    }

    @Test func theStoreHoldsNoPersonalNumberInClear() throws {
        let (directory, stateDir) = try copy()
        _ = directory
        // The 身份证号 of the fixture's natural persons, in clear in its queue files.
        var numbers: Set<String> = []
        for file in try fixtureFiles() {
            let text = String(decoding: try FileSystem.read(Self.fixture + "/" + file), as: UTF8.self)
            let pattern = try NSRegularExpression(pattern: "(?<![0-9A-Za-z])[1-8][0-9]{16}[0-9X](?![0-9A-Za-z])")
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range, in: text) else { continue }
                let number = String(text[range])
                if PersonalData.mask(number) != number { numbers.insert(number) }
            }
        }
        #expect(!numbers.isEmpty, "the fixture should hold persons' numbers in clear")
        // A 个体工商户 queried by its operator's 身份证号, as a journal line would hold it.
        let person = "330106199608225541"
        numbers.insert(person)
        let journal = stateDir + "/enterprises/enterprises.journal"
        let line = "\(person)\t-\t1796195291\t{\"uscc\":\"\(person)\",\"name\":\"罗军工作室\"}\n"
        try FileSystem.writeAtomically(journal, try FileSystem.read(journal) + Array(line.utf8), mode: 0o644)
        let store = try StateStore(stateDir: stateDir)
        var record: String?
        try store.database.query(
            "SELECT record FROM enterprise WHERE uscc = ?", [.text("sha256:" + SHA256.hex(person))]
        ) { row in record = row.text(0) }
        #expect(record?.contains("罗军工作室") == true)
        try store.database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        var database = try FileSystem.read(store.path)
        if FileSystem.exists(store.path + "-wal") { database += try FileSystem.read(store.path + "-wal") }
        let contents = String(decoding: database, as: UTF8.self)
        let inClear = numbers.filter { contents.contains($0) }.map(PersonalData.mask).sorted()
        #expect(inClear.isEmpty, "in clear in the store: \(inClear)")
    }
}
