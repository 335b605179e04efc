import CredsyncCore

extension Batch {
    /// The body `{"batchId":…,"source":…,"records":[…]}` written straight into bytes: the bytes
    /// `JSONWriter.compact` gives of it, a planned record's canonical payload copied as it is.
    static func body(id: String, source: String, records: [OutgoingRecord]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(records.reduce(128) { $0 + $1.compactCount + 1 })
        out.append(contentsOf: #"{"batchId":"#.utf8)
        JSONWriter.appendString(id, into: &out)
        out.append(contentsOf: #","source":"#.utf8)
        JSONWriter.appendString(source, into: &out)
        out.append(contentsOf: #","records":["#.utf8)
        for (index, record) in records.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            record.write(into: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }
}

extension OutgoingRecord {
    /// Appends `JSONWriter.compact(json)`.
    func write(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"key":"#.utf8)
        JSONWriter.appendString(key, into: &out)
        out.append(contentsOf: #","op":"#.utf8)
        JSONWriter.appendString(op.rawValue, into: &out)
        if let hash {
            out.append(contentsOf: #","hash":"#.utf8)
            JSONWriter.appendString(hash, into: &out)
        }
        if let payload {
            out.append(contentsOf: #","payload":"#.utf8)
            let sorted = JSONObject(payload.members.sorted { JSONWriter.precedesInUTF16($0.key, $1.key) })
            out.append(contentsOf: JSONWriter.compact(.object(sorted)).utf8)
        } else if let canonicalPayload {
            out.append(contentsOf: #","payload":"#.utf8)
            out.append(contentsOf: canonicalPayload)
        }
        if let reason {
            out.append(contentsOf: #","reason":"#.utf8)
            JSONWriter.appendString(reason.rawValue, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
