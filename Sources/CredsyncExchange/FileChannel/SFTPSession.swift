import CCurl
import CredsyncCore
import Foundation
import CredsyncProtocol

/// One SFTP connection to a 前置机 through libcurl (libssh2): public-key authentication only, the
/// host key checked against the pinned known_hosts file on every connection, nothing else offered.
/// Paths are relative to the channel's root. Blocks and belongs to one thread, as its easy handle.
final class SFTPSession {
    let channel: FileChannelConfig
    let connectTimeout: Double
    let requestTimeout: Double
    let maxBytes: Int
    private let handle: UnsafeMutableRawPointer
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    init?(channel: FileChannelConfig, connectTimeout: Double, requestTimeout: Double, maxBytes: Int) {
        guard CurlGlobal.initialized, let handle = curl_easy_init() else { return nil }
        self.handle = handle
        self.channel = channel
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxBytes = maxBytes
    }

    deinit { curl_easy_cleanup(handle) }

    /// `sftp://host:port/root/path`, each segment of `path` percent-encoded.
    func url(_ path: String) -> String {
        let encoded = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { PercentEncoding.encode(String($0)) }.joined(separator: "/")
        return "sftp://\(channel.host):\(channel.port)\(channel.root)/\(encoded)"
    }

    /// The absolute path on the server, as SFTP commands take it.
    func serverPath(_ path: String) -> String {
        (PercentEncoding.decode(Substring(channel.root)) ?? channel.root) + "/" + path
    }

    /// Writes `bytes` to `path`, creating missing directories; the file is 0640.
    func upload(_ path: String, _ bytes: [UInt8]) throws(FileChannelError) {
        let source = UploadSource(bytes)
        try withExtendedLifetime(source) { () throws(FileChannelError) in
            try perform(url(path)) { handle in
                var ok = ccurl_easy_setopt_long(handle, CURLOPT_UPLOAD, 1) == CURLE_OK
                ok =
                    ok && ccurl_easy_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(bytes.count)) == CURLE_OK
                ok = ok && ccurl_easy_setopt_long(handle, CURLOPT_FTP_CREATE_MISSING_DIRS, 1) == CURLE_OK
                ok = ok && ccurl_easy_setopt_long(handle, CURLOPT_NEW_FILE_PERMS, 0o640) == CURLE_OK
                ok = ok && ccurl_easy_setopt_long(handle, CURLOPT_NEW_DIRECTORY_PERMS, 0o750) == CURLE_OK
                let context = Unmanaged.passUnretained(source).toOpaque()
                ok =
                    ok
                    && ccurl_easy_setopt_read_function(handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
                        guard let buffer, let context else { return 0 }
                        return Unmanaged<UploadSource>.fromOpaque(context).takeUnretainedValue().read(
                            buffer, size * count)
                    } == CURLE_OK
                return ok && ccurl_easy_setopt_pointer(handle, CURLOPT_READDATA, context) == CURLE_OK
            }
        }
    }

    /// The bytes of `path`, at most `maxBytes`.
    func download(_ path: String) throws(FileChannelError) -> [UInt8] {
        let sink = ResponseSink(limit: maxBytes)
        try withExtendedLifetime(sink) { () throws(FileChannelError) in
            try perform(url(path)) { handle in Self.collect(into: sink, handle) }
        }
        return sink.body
    }

    /// The names in directory `path` (no `.` or `..`); empty when the directory does not exist.
    func list(_ path: String) throws(FileChannelError) -> [String] {
        let sink = ResponseSink(limit: maxBytes)
        do {
            try withExtendedLifetime(sink) { () throws(FileChannelError) in
                try perform(url(path) + "/") { handle in
                    ccurl_easy_setopt_long(handle, CURLOPT_DIRLISTONLY, 1) == CURLE_OK
                        && Self.collect(into: sink, handle)
                }
            }
        } catch  where error.kind == .notFound {
            return []
        }
        return String(decoding: sink.body, as: UTF8.self).split(separator: "\n")
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
            .filter { $0 != "." && $0 != ".." && !$0.isEmpty }
    }

    /// The modification time of `path`, Unix seconds; nil when the server does not say.
    func modificationTime(_ path: String) throws(FileChannelError) -> Double? {
        try perform(url(path)) { handle in
            ccurl_easy_setopt_long(handle, CURLOPT_NOBODY, 1) == CURLE_OK
                && ccurl_easy_setopt_long(handle, CURLOPT_FILETIME, 1) == CURLE_OK
        }
        var time: curl_off_t = -1
        guard ccurl_easy_getinfo_off_t(handle, CURLINFO_FILETIME_T, &time) == CURLE_OK, time >= 0 else { return nil }
        return Double(time)
    }

    /// Renames `from` to `to` (which must not exist: OpenSSH's server refuses to overwrite).
    func rename(_ from: String, to: String) throws(FileChannelError) {
        try command("rename \(Self.quoted(serverPath(from))) \(Self.quoted(serverPath(to)))", at: from)
    }

    /// Deletes the file `path`.
    func remove(_ path: String) throws(FileChannelError) {
        try command("rm \(Self.quoted(serverPath(path)))", at: path)
    }

    /// Runs one SFTP command (libcurl's CURLOPT_QUOTE) without a transfer.
    private func command(_ text: String, at path: String) throws(FileChannelError) {
        let list = curl_slist_append(nil, text)
        defer { curl_slist_free_all(list) }
        let directory = FileSystem.parent(of: path)
        try perform(url(directory == "." ? "" : directory) + "/") { handle in
            ccurl_easy_setopt_slist(handle, CURLOPT_QUOTE, list) == CURLE_OK
                && ccurl_easy_setopt_long(handle, CURLOPT_NOBODY, 1) == CURLE_OK
        }
    }

    /// A path for an SFTP command: in double quotes, `\` and `"` escaped, as libcurl reads them.
    static func quoted(_ path: String) -> String {
        "\"" + path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func collect(into sink: ResponseSink, _ handle: UnsafeMutableRawPointer) -> Bool {
        let context = Unmanaged.passUnretained(sink).toOpaque()
        return ccurl_easy_setopt_write_function(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            return Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue().appendBody(data, size * count)
        } == CURLE_OK && ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context) == CURLE_OK
    }

    /// One transfer with the options every operation shares; `configure` adds its own.
    private func perform(
        _ url: String, _ configure: (UnsafeMutableRawPointer) -> Bool
    ) throws(FileChannelError) {
        curl_easy_reset(handle)
        let verdict = HostKeyVerdict()
        let code: CURLcode = withExtendedLifetime(verdict) {
            errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
                errorPointer[0] = 0
                var ok = true
                func set(_ result: CURLcode) { if result != CURLE_OK { ok = false } }
                set(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress))
                set(ccurl_easy_setopt_string(handle, CURLOPT_URL, url))
                set(ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
                set(ccurl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "sftp"))
                set(ccurl_easy_setopt_string(handle, CURLOPT_USERNAME, channel.user))
                // Public-key authentication only: no password, no keyboard-interactive, no agent.
                set(ccurl_easy_setopt_long(handle, CURLOPT_SSH_AUTH_TYPES, Int(CURLSSH_AUTH_PUBLICKEY)))
                set(ccurl_easy_setopt_string(handle, CURLOPT_SSH_PRIVATE_KEYFILE, channel.privateKey))
                set(ccurl_easy_setopt_string(handle, CURLOPT_SSH_KNOWNHOSTS, channel.knownHosts))
                set(ccurl_easy_setopt_ssh_key_function(handle, CURLOPT_SSH_KEYFUNCTION, hostKeyCheck))
                set(
                    ccurl_easy_setopt_pointer(handle, CURLOPT_SSH_KEYDATA, Unmanaged.passUnretained(verdict).toOpaque())
                )
                set(ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, CurlEasy.milliseconds(connectTimeout)))
                set(ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, CurlEasy.milliseconds(requestTimeout)))
                guard ok, configure(handle) else { return CURLE_FAILED_INIT }
                return curl_easy_perform(handle)
            }
        }
        guard code != CURLE_OK else { return }
        let detail = errorBuffer.withUnsafeBufferPointer { buffer in
            String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        throw failure(
            code, url: url, detail: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail,
            verdict: verdict)
    }

    private func failure(_ code: CURLcode, url: String, detail: String, verdict: HostKeyVerdict) -> FileChannelError {
        let server = "\(channel.host):\(channel.port)"
        switch (code, verdict.match) {
        case (_, .mismatch):
            return FileChannelError(
                .hostKeyChanged, url: url,
                message:
                    "the host key of \(server) (\(verdict.fingerprint)) is not the one pinned in "
                    + "\(channel.knownHosts): refused; it may be an attack or a reinstalled 前置机")
        case (_, .missing):
            return FileChannelError(
                .hostKeyUnknown, url: url,
                message:
                    "\(server) is not in \(channel.knownHosts) (its host key is \(verdict.fingerprint)): refused")
        case (CURLE_PEER_FAILED_VERIFICATION, _):
            return FileChannelError(
                .hostKeyUnknown, url: url,
                message:
                    "the host key of \(server) could not be verified against \(channel.knownHosts) (\(detail))")
        case (CURLE_LOGIN_DENIED, _):
            return FileChannelError(
                .authenticationRefused, url: url,
                message:
                    "\(server) refused user \"\(channel.user)\" with the key \(channel.privateKey) (public-key "
                    + "authentication; no password is offered): \(detail)")
        case (CURLE_REMOTE_FILE_NOT_FOUND, _):
            return FileChannelError(.notFound, url: url, message: "no such file or directory (\(detail))")
        case (CURLE_QUOTE_ERROR, _), (CURLE_REMOTE_ACCESS_DENIED, _), (CURLE_REMOTE_DISK_FULL, _),
            (CURLE_UPLOAD_FAILED, _):
            return FileChannelError(.refused, url: url, message: "the server refused: \(detail)")
        case (CURLE_COULDNT_RESOLVE_HOST, _), (CURLE_COULDNT_CONNECT, _), (CURLE_OPERATION_TIMEDOUT, _),
            (CURLE_SEND_ERROR, _), (CURLE_RECV_ERROR, _), (CURLE_GOT_NOTHING, _), (CURLE_PARTIAL_FILE, _):
            return FileChannelError(.unreachable, url: url, message: "\(server) could not be reached: \(detail)")
        case (CURLE_SSH, _) where detail.lowercased().contains("key"):
            return FileChannelError(
                .authenticationRefused, url: url,
                message:
                    "user \"\(channel.user)\" could not authenticate to \(server) with the key \(channel.privateKey): "
                    + detail)
        default:
            return FileChannelError(.other, url: url, message: detail)
        }
    }
}

/// What the host-key check saw, for the error message.
final class HostKeyVerdict {
    enum Match { case notChecked, ok, mismatch, missing }
    var match = Match.notChecked
    /// `SHA256:…` of the key the server showed, as ssh prints it.
    var fingerprint = "unknown key"
}

/// CURLOPT_SSH_KEYFUNCTION: accept only a key that matches known_hosts; a changed or unknown key
/// is refused and never added to the file.
private let hostKeyCheck: curl_sshkeycallback = { _, _, found, match, context in
    guard let context else { return Int32(CURLKHSTAT_REJECT.rawValue) }
    let verdict = Unmanaged<HostKeyVerdict>.fromOpaque(context).takeUnretainedValue()
    if let found, let key = found.pointee.key {
        let raw: [UInt8]
        if found.pointee.len == 0 {
            raw = Data(base64Encoded: String(cString: key)).map { Array($0) } ?? []
        } else {
            raw = Array(UnsafeRawBufferPointer(start: key, count: found.pointee.len))
        }
        if !raw.isEmpty {
            verdict.fingerprint =
                "SHA256:"
                + Data(SHA256.digest(raw)).base64EncodedString()
                .replacingOccurrences(of: "=", with: "")
        }
    }
    switch match {
    case CURLKHMATCH_OK:
        verdict.match = .ok
        return Int32(CURLKHSTAT_FINE.rawValue)
    case CURLKHMATCH_MISMATCH:
        verdict.match = .mismatch
        return Int32(CURLKHSTAT_REJECT.rawValue)
    default:
        verdict.match = .missing
        return Int32(CURLKHSTAT_REJECT.rawValue)
    }
}

/// The bytes of an upload, handed to libcurl's read callback piece by piece.
final class UploadSource {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(_ buffer: UnsafeMutablePointer<CChar>, _ capacity: Int) -> Int {
        let count = min(capacity, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            UnsafeMutableRawPointer(buffer).copyMemory(from: base + offset, byteCount: count)
        }
        offset += count
        return count
    }
}
