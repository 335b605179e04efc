import CredsyncCore

/// Reading the small JSON state files (`exports.json`, the rejected lists): a missing file is a
/// first run, a damaged one an error, never a silent default.
enum StateFile {
    /// The file's top-level object; nil when the file is missing. A file that cannot be read, does
    /// not parse or is not an object throws exit 74 with `hint`.
    static func object(_ file: String, hint: String) throws(CredsyncError) -> JSONObject? {
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(file) } catch {
            if error.isNotFound { return nil }
            throw CredsyncError(.ioError, error.description, hint: hint)
        }
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch {
            throw CredsyncError(.ioError, "\(file): \(error.description)", hint: hint)
        }
        guard let object = json.objectValue else {
            throw CredsyncError(.ioError, "\(file): not a JSON object", hint: hint)
        }
        return object
    }
}
