import CredsyncCore

extension SandboxRouter {
    /// `POST /_admin/file-channel {"platform"?, "hold"?: bool, "fault"?: "none|never|twice|late:<s>"}`.
    func fileChannelFault(_ body: JSONValue, targets: [PlatformID]) -> ServerResponse {
        var parsed: FileChannelFault?
        if let text = body["fault"]?.stringValue {
            guard let fault = FileChannelFault(text) else {
                return SandboxJSON.error(400, code: "BAD_REQUEST", message: "fault: use none, never, twice or late:<s>")
            }
            parsed = fault
        }
        let hold = body["hold"]?.boolValue
        for platform in targets {
            fileChannel.update(platform) { fault in
                if let parsed {
                    fault.mode = parsed.mode
                    fault.lateSeconds = parsed.lateSeconds
                }
                if let hold { fault.isHeld = hold }
            }
        }
        return SandboxJSON.ok(["ok": true])
    }
}
