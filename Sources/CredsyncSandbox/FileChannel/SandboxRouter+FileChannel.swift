import CredsyncCore

extension SandboxRouter {
    /// `POST /_admin/file-channel {"platform"?, "hold"?: bool, "fault"?: "…"}`, the fault a list as
    /// `--file-channel-fault` takes it: `fault` replaces the platform's whole list; `hold` is kept unless given.
    func fileChannelFault(_ body: JSONValue, targets: [PlatformID]) -> ServerResponse {
        var parsed: FileChannelFault?
        if let text = body["fault"]?.stringValue {
            guard let fault = FileChannelFault(text) else {
                return SandboxJSON.error(400, code: "BAD_REQUEST", message: "fault: use " + FileChannelFault.syntax)
            }
            parsed = fault
        }
        let hold = body["hold"]?.boolValue
        for platform in targets {
            fileChannel.update(platform) { fault in
                if var parsed {
                    parsed.isHeld = fault.isHeld
                    fault = parsed
                }
                if let hold { fault.isHeld = hold }
            }
        }
        return SandboxJSON.ok(["ok": true])
    }
}
