import CCurl
import CredsyncCore
import CredsyncProtocol

/// `curl_global_init`, once, before any handle is made. `HTTPClient` touches it on the thread that
/// makes the client, before its threads start: curl_global_init is not thread-safe, and a process
/// that exits while a thread is inside it corrupts the heap.
enum CurlGlobal {
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}

/// One libcurl easy handle, used by one thread at a time. Kept across requests, so the
/// connection to a platform is reused (curl_easy_reset keeps live connections and TLS sessions).
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    init?() {
        guard CurlGlobal.initialized, let handle = curl_easy_init() else { return nil }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Performs `request` and waits for the answer. Blocks: call it on a dedicated thread only.
    func perform(_ request: HTTPRequest, options: HTTPClientOptions) -> Result<HTTPResponse, TransportError> {
        curl_easy_reset(handle)
        let sink = ResponseSink(limit: options.maxResponseBytes)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // Refuse curl's automatic "Expect: 100-continue", which costs a round trip per batch.
        headerList = curl_slist_append(headerList, "Expect:")

        let body = request.body
        let code: CURLcode = withExtendedLifetime(sink) {
            body.withUnsafeBytes { bodyBuffer in
                errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
                    errorPointer[0] = 0
                    var ok = true
                    func set(_ result: CURLcode) { if result != CURLE_OK { ok = false } }
                    set(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress))
                    set(ccurl_easy_setopt_string(handle, CURLOPT_URL, request.url))
                    set(ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
                    // HTTP(S) only, redirects included, and nothing older than TLS 1.2.
                    set(ccurl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
                    set(ccurl_easy_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
                    set(ccurl_easy_setopt_long(handle, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2)))
                    let connectTimeout = Self.milliseconds(options.connectTimeout)
                    set(ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeout))
                    set(ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(options.requestTimeout)))
                    set(ccurl_easy_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""))
                    set(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, options.verifyTLS ? 1 : 0))
                    set(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, options.verifyTLS ? 2 : 0))
                    if let caFile = options.caFile { set(ccurl_easy_setopt_string(handle, CURLOPT_CAINFO, caFile)) }
                    if let certificate = options.clientCertificate {
                        set(ccurl_easy_setopt_string(handle, CURLOPT_SSLCERT, certificate))
                    }
                    if let key = options.clientKey { set(ccurl_easy_setopt_string(handle, CURLOPT_SSLKEY, key)) }
                    if let proxy = options.proxy { set(ccurl_easy_setopt_string(handle, CURLOPT_PROXY, proxy)) }
                    set(ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
                    if request.method == "GET" {
                        set(ccurl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1))
                    } else {
                        set(ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method))
                        set(ccurl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyBuffer.count)))
                        if let base = bodyBuffer.baseAddress, bodyBuffer.count > 0 {
                            // The body outlives curl_easy_perform below, so libcurl need not copy it.
                            set(
                                ccurl_easy_setopt_pointer(
                                    handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: base)))
                        } else {
                            set(ccurl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""))
                        }
                    }
                    let context = Unmanaged.passUnretained(sink).toOpaque()
                    set(
                        ccurl_easy_setopt_write_function(
                            handle, CURLOPT_WRITEFUNCTION,
                            { data, size, count, context in
                                guard let context else { return 0 }
                                let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
                                return sink.appendBody(data, size * count)
                            }))
                    set(ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
                    set(
                        ccurl_easy_setopt_write_function(
                            handle, CURLOPT_HEADERFUNCTION,
                            { data, size, count, context in
                                guard let context else { return 0 }
                                let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
                                return sink.appendHeader(data, size * count)
                            }))
                    set(ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
                    guard ok else { return CURLE_FAILED_INIT }
                    return curl_easy_perform(handle)
                }
            }
        }
        let message = errorBuffer.withUnsafeBufferPointer { buffer in
            String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        guard code == CURLE_OK else {
            return .failure(Self.transportError(code, url: request.url, message: message, sink: sink))
        }
        var status = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: sink.headers, body: sink.body))
    }

    /// A time-out for libcurl in milliseconds: 1 ms to 30 days, whatever the configuration holds.
    static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 1 }
        return Int(min(seconds, 30 * 86400) * 1000)
    }

    static func transportError(_ code: CURLcode, url: String, message: String, sink: ResponseSink) -> TransportError {
        let detail = message.isEmpty ? String(cString: curl_easy_strerror(code)) : message
        let lowered = detail.lowercased()
        let kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .nameResolution
        case CURLE_COULDNT_CONNECT: kind = .connect
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_PEER_FAILED_VERIFICATION:
            kind =
                lowered.contains("subject name") || lowered.contains("does not match") || lowered.contains("host name")
                ? .hostNameMismatch : .certificateVerification
        case CURLE_SSL_CACERT_BADFILE: kind = .certificateVerification
        case CURLE_SSL_CERTPROBLEM: kind = .clientCertificate
        case CURLE_SSL_CONNECT_ERROR:
            kind =
                lowered.contains("certificate required") || lowered.contains("alert bad certificate")
                    || lowered.contains("unknown ca")
                ? .clientCertificate : .tlsHandshake
        case CURLE_WRITE_ERROR where sink.overflowed: kind = .responseTooLarge
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            kind = lowered.contains("certificate required") ? .clientCertificate : .reset
        default: kind = .other
        }
        return TransportError(kind, url: url, detail: detail)
    }
}

/// Collects a response's headers and body, refusing a body past the cap.
final class ResponseSink {
    let limit: Int
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var overflowed = false

    init(limit: Int) { self.limit = limit }

    func appendBody(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let data else { return 0 }
        if body.count + count > limit {
            overflowed = true
            return 0
        }
        data.withMemoryRebound(to: UInt8.self, capacity: count) {
            body.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
        }
        return count
    }

    func appendHeader(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let data else { return 0 }
        let line = data.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
        if line.hasPrefix("HTTP/") {
            headers = [:]  // a new response (after 100 Continue or a redirect)
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            headers[name] = value
        }
        return count
    }
}
