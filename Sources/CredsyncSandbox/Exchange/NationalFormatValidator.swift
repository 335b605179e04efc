public import CredsyncCore
import CredsyncFormats
public import CredsyncProtocol

/// The platform's checks of a pushed payload: the national format files credsync itself maps to,
/// read by the same validation engine, with the platform's date format.
public struct NationalFormatValidator: PayloadValidator {
    let validators: [Dataset: Validator]
    let dateSeparator: [PlatformID: String]

    /// Loads `<directory>/<dataset>.json` for every dataset.
    public init(directory: String) throws(CredsyncError) {
        var validators: [Dataset: Validator] = [:]
        for dataset in Dataset.allCases {
            validators[dataset] = Validator(format: try FormatLoader.load(directory + "/\(dataset.rawValue).json"))
        }
        self.validators = validators
        self.dateSeparator = Dictionary(uniqueKeysWithValues: PlatformID.allCases.map { ($0, $0.defaultDateSeparator) })
    }

    public func fieldErrors(dataset: Dataset, payload: JSONObject, today: LocalDate) -> [FieldError] {
        fieldErrors(platform: .credit, dataset: dataset, payload: payload, today: today)
    }

    public func fieldErrors(platform: PlatformID, dataset: Dataset, payload: JSONObject, today: LocalDate)
        -> [FieldError]
    {
        var errors = StructuralValidator().fieldErrors(dataset: dataset, payload: payload, today: today)
        guard let validator = validators[dataset] else { return errors }
        let format = validator.format
        var values = [String?](repeating: nil, count: format.fields.count)
        for member in payload {
            guard let index = format.index[member.key] else {
                errors.append(
                    FieldError(
                        code: "E_FORMAT", field: member.key, message: "not a field of the \(dataset.rawValue) format"))
                continue
            }
            values[index] = member.value.stringValue
        }
        let reasons = validator.reasons(values, dateSeparator: dateSeparator[platform] ?? "/", today: today)
        return errors + reasons.map { FieldError(code: $0.rule, field: $0.field, message: $0.expected) }
    }
}
