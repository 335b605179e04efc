/// A platform reached through a front-end processor (前置机) instead of its API: exchange-api.md
/// 1.1, "The file channel". SFTP, public-key authentication only, the host key pinned.
public struct FileChannelConfig: Sendable, Equatable {
    /// `sftp://host:port/root` as configured (no user-info).
    public var url: String
    public var host: String
    /// 22 unless the URL names another.
    public var port: Int
    /// The platform's root directory on the 前置机 (absolute, no trailing `/`), percent-encoded as in the URL.
    public var root: String
    /// The account on the 前置机.
    public var user: String
    /// The account's private key (absolute): a file only its owner may read (0600 or 0400).
    public var privateKey: String
    /// The known_hosts file that pins the 前置机's host key (absolute).
    public var knownHosts: String
    /// A batch sent longer ago than this (seconds) without an answer is reported with its file name.
    public var unansweredAfter: Double = 86400

    public init(
        url: String, host: String, port: Int = 22, root: String, user: String, privateKey: String, knownHosts: String
    ) {
        self.url = url
        self.host = host
        self.port = port
        self.root = root
        self.user = user
        self.privateKey = privateKey
        self.knownHosts = knownHosts
    }
}
