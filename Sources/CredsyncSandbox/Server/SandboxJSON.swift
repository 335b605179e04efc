import CredsyncCore

/// The sandbox's JSON answers.
enum SandboxJSON {
    /// `{"error": {"code", "message"}}` with a request id, as every non-2xx answer carries.
    static func error(_ status: Int, code: String, message: String, headers: [(String, String)] = []) -> ServerResponse
    {
        let body: JSONValue = ["error": ["code": .string(code), "message": .string(message)]]
        return .json(status, JSONWriter.compact(body), headers: [("X-Request-Id", requestID())] + headers)
    }

    static func ok(_ value: JSONValue) -> ServerResponse {
        .json(200, JSONWriter.compact(value), headers: [("X-Request-Id", requestID())])
    }

    static func requestID() -> String { Hex.encode(SecureRandom.bytes(8)) }
}
