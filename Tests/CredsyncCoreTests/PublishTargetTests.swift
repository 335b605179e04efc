import CredsyncCore
import Testing

/// `credit/license` and back; a wrong pair says what is wrong and what the choices are.
@Suite struct PublishTargetTests {
    @Test(arguments: PlatformID.allCases) func everyPairAPlatformTakesReadsBackFromItsDescription(
        _ platform: PlatformID
    ) throws {
        for dataset in platform.acceptedDatasets {
            let target = PublishTarget(platform, dataset)
            #expect(try PublishTarget(parsing: target.description) == target)
        }
        #expect(PublishTarget(.credit, .license).description == "credit/license")
    }

    @Test(arguments: [
        ("credit", "not a platform/dataset pair"), ("credit/license/x", "not a platform/dataset pair"),
        ("samr/license", "'samr' is not a platform"), ("credit/licence", "'licence' is not a dataset"),
        ("ipp/license", "ipp does not take license"),
    ])
    func aWrongPairNamesWhatIsWrong(_ text: String, _ expected: String) {
        #expect {
            try PublishTarget(parsing: text)
        } throws: { error in
            guard let error = error as? CredsyncError else { return false }
            return error.message.contains(expected) && error.message.contains(text) && error.hint != nil
        }
    }

    @Test func theOneOperationHasTheWireFormTheQueueAndBatchesStore() {
        #expect(RecordOperation.allCases.map(\.rawValue) == ["create", "update", "withdraw"])
        #expect(RecordOperation.allCases.map(\.kind.rawValue) == ["upsert", "upsert", "withdraw"])
        #expect(FailureClass.allCases.map(\.rawValue) == ["transient", "permanent"])
        let reasons = ["new", "changed", "republished", "unconfirmed", "expired", "repaired", "revoked", "corrected"]
        for text in reasons + ["x"] {
            #expect(ChangeReason(rawValue: text).rawValue == text)
        }
        #expect(ChangeReason(rawValue: "revoked") == .withdrawal(.revoked))
        #expect(ChangeReason(rawValue: "hand-edited") == .unknown("hand-edited"))
        #expect(ChangeReason.unconfirmed.withdrawalReason == .corrected)
        #expect(ChangeReason(rawValue: "hand-edited").withdrawalReason == .corrected)
    }
}
