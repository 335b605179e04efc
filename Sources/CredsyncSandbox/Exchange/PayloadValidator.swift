public import CredsyncCore
public import CredsyncProtocol

/// Checks a pushed payload against its dataset's national format, as the platform does.
public protocol PayloadValidator: Sendable {
    /// Every field error of `payload`; empty when it is valid. `today` is the platform's date.
    func fieldErrors(dataset: Dataset, payload: JSONObject, today: LocalDate) -> [FieldError]
    /// The same, for a platform (whose date format may differ).
    func fieldErrors(platform: PlatformID, dataset: Dataset, payload: JSONObject, today: LocalDate) -> [FieldError]
}

extension PayloadValidator {
    public func fieldErrors(platform: PlatformID, dataset: Dataset, payload: JSONObject, today: LocalDate)
        -> [FieldError]
    {
        fieldErrors(dataset: dataset, payload: payload, today: today)
    }
}

/// The structural rules every payload follows whatever its dataset: string values, none empty.
public struct StructuralValidator: PayloadValidator {
    public init() {}

    public func fieldErrors(dataset: Dataset, payload: JSONObject, today: LocalDate) -> [FieldError] {
        var errors: [FieldError] = []
        for member in payload {
            guard let text = member.value.stringValue else {
                errors.append(
                    FieldError(code: "E_FORMAT", field: member.key, message: "every value must be a JSON string"))
                continue
            }
            if text.isEmpty {
                errors.append(
                    FieldError(code: "E_FORMAT", field: member.key, message: "an empty value must be left out"))
            }
        }
        return errors
    }
}
