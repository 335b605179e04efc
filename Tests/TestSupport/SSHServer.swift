#if canImport(Glibc)
    import Glibc
#endif
public import CredsyncCore
import Foundation

/// Debian's OpenSSH server (`openssh-server`, installed by `ops/setup --test`) on a free loopback
/// port, with throwaway host and user keys and a configuration of its own: public-key
/// authentication only, the current user only, SFTP through `internal-sftp`. Stopped when released.
public final class SSHServer: @unchecked Sendable {
    public static let sshd = "/usr/sbin/sshd"
    public static let keygen = "/usr/bin/ssh-keygen"

    public let directory: TemporaryDirectory
    public let port: Int
    /// The account the server lets in: the user running the tests.
    public let user: String
    /// The authorized user key (0600) and a known_hosts file that pins this server's host key.
    public let privateKey: String
    public let knownHosts: String
    /// What sshd wrote to stderr (`-e`).
    public let logFile: String
    /// sshd's pid. Not a Foundation `Process`: sshd closes every inherited descriptor, which
    /// Foundation takes for an exit, and its monitor thread then blocks in waitpid for good.
    private let pid: pid_t

    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.sshd) else {
            throw CredsyncError(
                .unavailable, "\(Self.sshd) is missing", hint: "ops/setup --test installs openssh-server")
        }
        directory = try TemporaryDirectory("sshd")
        let path = directory.path
        user = Self.currentUser()
        let hostKey = try Self.makeKey(path + "/host_key")
        privateKey = try Self.makeKey(path + "/user_key")
        let authorized = path + "/authorized_keys"
        try FileManager.default.copyItem(atPath: privateKey + ".pub", toPath: authorized)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: authorized)
        if getuid() == 0, !FileManager.default.fileExists(atPath: "/run/sshd") {
            // sshd started as root needs its privilege-separation directory (systemd makes it at boot).
            try FileManager.default.createDirectory(
                atPath: "/run/sshd", withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755])
        }
        let logFile = path + "/sshd.log"
        self.logFile = logFile
        var started: (pid_t, Int)?
        for _ in 0..<5 {
            let port = try Self.freePort()
            // Root may log in only by key when the tests run as root; any other account is not root.
            let rootLogin = getuid() == 0 ? "prohibit-password" : "no"
            let config = try directory.write(
                "sshd_config",
                """
                ListenAddress 127.0.0.1
                Port \(port)
                HostKey \(hostKey)
                PidFile \(path)/sshd.pid
                AuthorizedKeysFile \(authorized)
                AuthenticationMethods publickey
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin \(rootLogin)
                AllowUsers \(user)
                UsePAM no
                StrictModes no
                LogLevel VERBOSE
                Subsystem sftp internal-sftp

                """, mode: 0o600)
            let pid = try Self.spawn([Self.sshd, "-D", "-e", "-f", config], stderr: logFile)
            var exited = false
            let listening = waitUntil(timeout: 10) {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { exited = true }
                return exited
                    || ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "")
                        .contains("Server listening")
            }
            if listening, !exited {
                started = (pid, port)
                break
            }
            if !exited {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
            }
        }
        guard let started else {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            throw CredsyncError(.unavailable, "sshd did not start: \(log)")
        }
        (pid, port) = started
        knownHosts = try directory.write("known_hosts", "[127.0.0.1]:\(port) \(try Self.publicKey(hostKey))\n")
    }

    deinit { stop() }

    public func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// Starts `arguments` with stdin and stdout on /dev/null and stderr to the file `stderr`.
    static func spawn(_ arguments: [String], stderr: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
        guard result == 0 else {
            throw CredsyncError(.software, "\(arguments[0]) could not start: \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// The file channel of a platform whose root on this server is `root` (an absolute path).
    public func channel(root: String, privateKey: String? = nil, knownHosts: String? = nil) -> FileChannelConfig {
        FileChannelConfig(
            url: "sftp://127.0.0.1:\(port)\(root)", host: "127.0.0.1", port: port, root: root, user: user,
            privateKey: privateKey ?? self.privateKey, knownHosts: knownHosts ?? self.knownHosts)
    }

    /// A fresh key pair this server does not know (its private key's path).
    public func unauthorizedKey() throws -> String {
        try Self.makeKey(directory.path + "/other_key_" + UUID().uuidString.prefix(8))
    }

    /// A known_hosts file pinning another key for this server's address: as if its key changed.
    public func knownHostsWithChangedKey() throws -> String {
        let key = try Self.makeKey(directory.path + "/impostor_" + UUID().uuidString.prefix(8))
        return try directory.write("known_hosts_changed", "[127.0.0.1]:\(port) \(try Self.publicKey(key))\n")
    }

    /// A known_hosts file that pins some other server only.
    public func knownHostsWithoutThisServer() throws -> String {
        let line = try String(contentsOfFile: knownHosts, encoding: .utf8)
        return try directory.write("known_hosts_other", line.replacingOccurrences(of: ":\(port) ", with: ":1 "))
    }

    /// ed25519, no passphrase; returns the private key's path (mode 0600).
    static func makeKey(_ path: String) throws -> String {
        let result = try Binaries.runTool(
            Self.keygen, ["-q", "-t", "ed25519", "-N", "", "-C", "credsync-test", "-f", path])
        guard result.status == 0 else { throw CredsyncError(.software, "ssh-keygen failed: \(result.stderr)") }
        return path
    }

    /// `ssh-ed25519 AAAA…` of a key pair.
    static func publicKey(_ privateKey: String) throws -> String {
        let text = try String(contentsOfFile: privateKey + ".pub", encoding: .utf8)
        return text.split(separator: " ").prefix(2).joined(separator: " ")
    }

    static func currentUser() -> String {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "root" }
        return String(cString: name)
    }

    /// A port nothing listens on now (bound to 0 and released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CredsyncError(.software, "socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw CredsyncError(.software, "bind failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
