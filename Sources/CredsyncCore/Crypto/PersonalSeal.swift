/// Natural persons' numbers inside a payload kept at rest, sealed with `FieldCipher` under the data
/// key (`dataKeyFile`): a value of a personal field (`PersonalData.isPersonalField`) and any value
/// the masking rule catches (`PersonalData.mask`) becomes its sealed text (`sm4:1:<key id>:<hex>`)
/// in place; every other member stays as it is, so the payload stays a JSON object that listings
/// and checks read without the key. Each value is bound to `context` and its field: a sealed value
/// copied to another record or field does not open.
///
/// Without a key (`cipher` nil), sealing a payload that holds a personal value and opening one that
/// holds a sealed value are exit 78: nothing personal is written in clear, nothing sealed is sent
/// or shown as if it were the value.
public struct PersonalSeal: Sendable {
    /// The cipher of the configured key; nil when `dataKeyFile` is not configured.
    public let cipher: FieldCipher?
    /// The key file, for messages.
    public let keyFile: String?

    public init(cipher: FieldCipher?, keyFile: String?) {
        self.cipher = cipher
        self.keyFile = keyFile
    }

    /// No key: what reads the store without writing personal values (listings, counts).
    public static let none = PersonalSeal(cipher: nil, keyFile: nil)

    /// The seal of `config`'s `dataKeyFile`, its key read now (exit 78 when it is missing, others
    /// may read it, or it is not a key); `.none` when none is configured, unless `required`.
    public static func load(_ config: Config, required: Bool) throws(CredsyncError) -> PersonalSeal {
        guard let file = config.dataKeyFile else {
            guard !required else { throw notConfigured(config.file) }
            return .none
        }
        return PersonalSeal(cipher: FieldCipher(key: try DataKey.load(file)), keyFile: file)
    }

    /// The refusal of a run that may keep personal values when no key is configured.
    public static func notConfigured(_ configFile: String) -> CredsyncError {
        CredsyncError(
            .configuration,
            "\(configFile): dataKeyFile is not configured: the retry queue would keep natural persons' "
                + "证件号码 in clear",
            hint: "write a key outside the state directory ('credsync key generate "
                + "/etc/credsync/data.key'), set \"dataKeyFile\" to it, and back it up apart from the state")
    }

    /// Whether `value` of `field` is sealed at rest.
    public static func isPersonal(_ value: String, field: String) -> Bool {
        (PersonalData.isPersonalField(field) && !value.isEmpty) || PersonalData.mask(value) != value
    }

    /// Whether `payload` holds a sealed value anywhere.
    public static func holdsSealed(_ payload: JSONObject) -> Bool {
        payload.members.contains { containsSealed($0.value) }
    }

    /// `payload` with each personal value sealed for `context` (say "queue.payload credit license K1").
    public func seal(_ payload: JSONObject, context: String) throws(CredsyncError) -> JSONObject {
        try transform(payload, context: context) { text, field, context throws(CredsyncError) in
            guard !FieldCipher.isSealed(text), Self.isPersonal(text, field: field) else { return text }
            guard let cipher else {
                throw CredsyncError(
                    .configuration, "\(context): field \(field) holds a personal number and no dataKeyFile is set",
                    hint: Self.notConfigured("the configuration").hint)
            }
            do throws(CryptoError) { return try cipher.seal(text, context: context + " " + field) } catch {
                throw CredsyncError(.software, "\(context): field \(field): sealing failed: \(error.description)")
            }
        }
    }

    /// `payload` with each sealed value opened; exit 78 for a value of another key, an altered one,
    /// or any sealed value when no key is configured.
    public func open(_ payload: JSONObject, context: String) throws(CredsyncError) -> JSONObject {
        try transform(payload, context: context) { text, field, context throws(CredsyncError) in
            guard FieldCipher.isSealed(text) else { return text }
            guard let cipher else {
                throw CredsyncError(
                    .configuration, "\(context): field \(field) is sealed and no dataKeyFile is set",
                    hint: "set \"dataKeyFile\" to the key it was sealed under (key id "
                        + "\(FieldCipher.keyID(of: text) ?? "?")), restored from its backup")
            }
            do throws(CryptoError) { return try cipher.open(text, context: context + " " + field) } catch {
                throw CredsyncError(
                    .configuration, "\(context): field \(field): \(error.description)",
                    hint: "dataKeyFile \(keyFile ?? "") holds key \(cipher.key.id): configure the key the value "
                        + "was sealed under (after 'credsync key rotate', the new one), restored from its backup")
            }
        }
    }

    /// `payload` with `body` applied to every string, with the name of the member it is in.
    func transform(
        _ payload: JSONObject, context: String, _ body: (String, String, String) throws(CredsyncError) -> String
    ) throws(CredsyncError) -> JSONObject {
        var members: [JSONMember] = []
        members.reserveCapacity(payload.members.count)
        for member in payload.members {
            members.append(JSONMember(member.key, try transform(member.value, field: member.key, context, body)))
        }
        return JSONObject(members)
    }

    func transform(
        _ value: JSONValue, field: String, _ context: String,
        _ body: (String, String, String) throws(CredsyncError) -> String
    ) throws(CredsyncError) -> JSONValue {
        if let text = value.stringValue { return .string(try body(text, field, context)) }
        if let object = value.objectValue {
            return .object(try transform(object, context: context + " " + field, body))
        }
        if let items = value.arrayValue {
            var out: [JSONValue] = []
            for item in items { out.append(try transform(item, field: field, context, body)) }
            return .array(out)
        }
        return value
    }

    static func containsSealed(_ value: JSONValue) -> Bool {
        if let text = value.stringValue { return FieldCipher.isSealed(text) }
        if let object = value.objectValue { return holdsSealed(object) }
        return value.arrayValue?.contains(where: containsSealed) ?? false
    }
}
