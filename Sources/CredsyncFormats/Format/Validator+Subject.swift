import CredsyncCore

extension Validator {
    /// The subject categories the rules know, in the order `subjectReasons` takes them.
    static let categories = ["法人及非法人组织", "个体工商户", "自然人"]

    /// The subject rules: what a 法人及非法人组织, a 个体工商户 and a 自然人 must carry.
    func subjectReasons(_ values: [String?], _ subject: SubjectFields, into reasons: inout [Reason]) {
        func value(_ i: Int) -> String? { values[i].flatMap { $0.isEmpty ? nil : $0 } }
        func code(_ i: Int) -> String { format.fields[i].code }
        let uscc = value(subject.uscc)
        // The category matched on its bytes as the code table writes it; another spelling as text.
        let category = value(subject.category).flatMap { value in
            Self.categories.firstIndex { Self.sameBytes(value, $0) } ?? Self.categories.firstIndex(of: value)
        }
        switch category {
        case 0:  // 法人及非法人组织
            if let uscc {
                if let problem = NationalIdentifiers.usccProblem(uscc) {
                    reasons.append(
                        Reason(
                            field: code(subject.uscc), rule: "E_CHECKSUM", value: uscc,
                            expected: "a valid 统一社会信用代码: it \(problem)"))
                }
            } else {
                reasons.append(
                    Reason(
                        field: code(subject.uscc), rule: "E_CONDITIONAL", value: nil,
                        expected: "required for a 法人及非法人组织"))
            }
            if value(subject.legalRepresentative) == nil {
                reasons.append(
                    Reason(
                        field: code(subject.legalRepresentative), rule: "E_CONDITIONAL", value: nil,
                        expected: "the legal representative is required for a 法人及非法人组织"))
            }
        case 1:  // 个体工商户
            if let uscc {
                if uscc == NationalIdentifiers.usccPlaceholder {
                    if value(subject.registrationNumber) == nil {
                        reasons.append(
                            Reason(
                                field: code(subject.registrationNumber), rule: "E_CONDITIONAL", value: nil,
                                expected: "the 工商注册号 is required with the placeholder 统一社会信用代码"))
                    }
                } else if let problem = NationalIdentifiers.usccProblem(uscc) {
                    reasons.append(
                        Reason(
                            field: code(subject.uscc), rule: "E_CHECKSUM", value: uscc,
                            expected:
                                "a valid 统一社会信用代码 or the placeholder \(NationalIdentifiers.usccPlaceholder): it \(problem)"
                        ))
                }
            } else {
                reasons.append(
                    Reason(
                        field: code(subject.uscc), rule: "E_CONDITIONAL", value: nil,
                        expected: "required for a 个体工商户 (a valid code, or the placeholder with a 工商注册号)"))
            }
        case 2:  // 自然人
            if let uscc {
                reasons.append(
                    Reason(
                        field: code(subject.uscc), rule: "E_CONDITIONAL", value: uscc,
                        expected: "must be absent for a 自然人"))
            }
            let idType = value(subject.idType)
            if let idType, !Self.isListed(idType, in: format.idTypes) {
                reasons.append(
                    Reason(
                        field: code(subject.idType), rule: "E_CODE", value: idType,
                        expected: "one of \(format.idTypes.joined(separator: ", "))"))
            }
            if idType == nil {
                reasons.append(
                    Reason(
                        field: code(subject.idType), rule: "E_CONDITIONAL", value: nil,
                        expected: "证件类型 is required for a 自然人"))
            }
            if let number = value(subject.idNumber) {
                if let idType, Self.sameBytes(idType, "身份证") || idType == "身份证",
                    let problem = Self.idCardProblem(number)
                {
                    reasons.append(
                        Reason(
                            field: code(subject.idNumber), rule: "E_CHECKSUM", value: number,
                            expected: "a valid 身份证号: it \(problem)"))
                }
            } else {
                reasons.append(
                    Reason(
                        field: code(subject.idNumber), rule: "E_CONDITIONAL", value: nil,
                        expected: "证件号码 is required for a 自然人"))
            }
        default:
            break  // an unknown category is reported by the field's code list
        }
    }
}
