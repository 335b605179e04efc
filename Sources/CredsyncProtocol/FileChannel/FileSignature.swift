public import CredsyncCore

/// The signature file of a batch on the file channel, `inbox/{dataset}/{batchId}.sig`: one line
/// `{app} {timestamp} {nonce} {method} {signature}`, the signature computed as for a request with
/// METHOD `FILE`, PATH `{dataset}/{batchId}.json`, an empty QUERY and the file's bytes as the body.
public struct FileSignature: Sendable, Equatable {
    public var appID: String
    public var timestamp: Int
    public var nonce: String
    public var method: SignatureMethod
    public var signature: String

    /// Signs `body`, the batch `batchID` of `dataset`, with `secret`.
    public static func sign(
        _ body: [UInt8], dataset: Dataset, batchID: String, appID: String, secret: String, method: SignatureMethod,
        now: Double = Timestamp.now(), nonce: String = SecureRandom.nonce()
    ) throws(CryptoError) -> FileSignature {
        let timestamp = Int(now.rounded(.down))
        let signature = try RequestSigner.signature(
            using: method, secret: secret, method: "FILE", path: path(dataset, batchID), query: "",
            timestamp: timestamp, nonce: nonce, body: body)
        return FileSignature(appID: appID, timestamp: timestamp, nonce: nonce, method: method, signature: signature)
    }

    /// The PATH of the string to sign.
    static func path(_ dataset: Dataset, _ batchID: String) -> String { "\(dataset.rawValue)/\(batchID).json" }

    /// The file's one line, with its newline.
    public var line: String { "\(appID) \(timestamp) \(nonce) \(method.rawValue) \(signature)\n" }

    /// Reads a signature file; nil when it is not one line of five fields with a known method.
    public init?(line text: String) {
        let fields = text.trimmingSpaces().split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 5, let timestamp = Int(fields[1]), let method = SignatureMethod(rawValue: fields[3])
        else { return nil }
        self.init(appID: fields[0], timestamp: timestamp, nonce: fields[2], method: method, signature: fields[4])
    }

    public init(appID: String, timestamp: Int, nonce: String, method: SignatureMethod, signature: String) {
        self.appID = appID
        self.timestamp = timestamp
        self.nonce = nonce
        self.method = method
        self.signature = signature
    }

    /// Whether this signs `body` as batch `batchID` of `dataset` under `secret`.
    public func verifies(_ body: [UInt8], dataset: Dataset, batchID: String, secret: String) -> Bool {
        let expected = try? RequestSigner.signature(
            using: method, secret: secret, method: "FILE", path: Self.path(dataset, batchID), query: "",
            timestamp: timestamp, nonce: nonce, body: body)
        return expected == signature
    }
}
