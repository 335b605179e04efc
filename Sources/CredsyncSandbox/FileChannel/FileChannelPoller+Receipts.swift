#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore
import CredsyncProtocol
import Synchronization

/// The receipts of an asynchronous platform on the file channel (exchange-api.md 1.1): the same
/// receipts the API serves (one record store, one seq), written to `outbox/{dataset}/` as
/// `receipts-{seq}.jsonl`, `{seq}` the first receipt's, one receipt a line, `.part` renamed.
extension FileChannelPoller {
    /// Issues the receipts due at `now` and writes every receipt not yet in a file, one file per
    /// dataset; returns the datasets that got receipts (their manifests changed).
    func fileReceipts(_ platform: SandboxPlatform, base: String, fault: FileChannelFault, now: Double) -> Set<Dataset> {
        guard let policy = platform.receipts else { return [] }
        let due = platform.store.withLock { store -> [Dataset: [(seq: Int, receipt: JSONObject)]] in
            store.issueReceipts(now: now, policy: policy)
            guard store.lastReceiptSeq > store.filedReceiptSeq else { return [:] }
            var due: [Dataset: [(seq: Int, receipt: JSONObject)]] = [:]
            for source in store.records.keys {
                for dataset in platform.id.acceptedDatasets {
                    let fresh = store.receipts(source: source, dataset: dataset).filter {
                        $0.seq > store.filedReceiptSeq
                    }
                    if !fresh.isEmpty { due[dataset, default: []] += fresh }
                }
            }
            return due
        }
        guard !due.isEmpty else { return [] }
        var through = Int.max
        var highest = 0
        for (dataset, receipts) in due {
            let sorted = receipts.sorted { $0.seq < $1.seq }
            let lines = sorted.map { JSONWriter.compact(.object($0.receipt)) + "\n" }.joined()
            let path = base + "/" + FileChannelLayout.receipts(dataset, seq: sorted[0].seq)
            let bytes = Array(lines.utf8)
            highest = max(highest, sorted[sorted.count - 1].seq)
            if Self.writeAsPart(path, bytes) {
                if fault.leavesTornParts { Self.leaveTorn(path, bytes) }
            } else {
                // Not written: file again from this dataset's first receipt at the next poll.
                through = min(through, sorted[0].seq - 1)
            }
        }
        let filed = min(through, highest)
        platform.store.withLock { store in
            store.markReceiptsFiled(through: filed)
            store.flush()
        }
        return Set(due.keys)
    }

    /// Fault `old-receipt`: for every version an answer accepted that replaces an older version
    /// with a receipt, that older receipt once more, under a new seq (history: it changes nothing).
    func repeatOldReceipts(_ platform: SandboxPlatform, dataset: Dataset, body: [UInt8], answer: [UInt8]) {
        guard platform.receipts != nil, let source = (try? JSONParser.parse(body))?["source"]?.stringValue,
            let results = (try? JSONParser.parse(answer))?["results"]?.arrayValue
        else { return }
        platform.store.withLock { store in
            for result in results where result["status"]?.stringValue == "accepted" {
                guard let key = result["key"]?.stringValue, let version = result["version"]?.intValue else { continue }
                let older = store.receipts(source: source, dataset: dataset).last {
                    $0.receipt["key"]?.stringValue == key && ($0.receipt["version"]?.intValue ?? version) < version
                }
                guard var repeated = older?.receipt else { continue }
                repeated["seq"] = nil
                store.addReceipt(source: source, dataset: dataset, repeated)
            }
            store.flush()
        }
    }

    /// Fault `torn-part`: `path.part` holding the first half of `bytes`, left behind for good.
    static func leaveTorn(_ path: String, _ bytes: [UInt8]) {
        let part = path + FileChannelLayout.partSuffix
        let fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        _ = try? FileSystem.writeAll(fd, Array(bytes.prefix(bytes.count / 2)), path: part)
        close(fd)
    }
}
