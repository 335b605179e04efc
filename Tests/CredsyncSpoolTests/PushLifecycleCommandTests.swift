import Testing

@testable import CredsyncSpool

/// `PushLifecycle.step` as a table: every queue command × every state an entry can be listed in.
@Suite struct PushLifecycleCommandTests {
    typealias Command = PushLifecycle.Command
    static let held = "held entries need 'credsync queue release'"
    static let waiting = "deferred entries are already waiting for their next try"
    static let corrupt = "corrupt entries can only be dropped ('credsync queue drop ID')"

    static let table: [(Command, SpoolState, PushLifecycle.Step)] = [
        (.retry, .deferred, .makeDue), (.retry, .dead, .makeDue), (.retry, .hold, .skip(held)),
        (.retry, .corrupt, .skip(corrupt)),
        (.hold, .deferred, .hold), (.hold, .hold, .skip("already held")),
        (.hold, .dead, .skip("dead entries are retried ('credsync queue retry') or dropped")),
        (.hold, .corrupt, .skip(corrupt)),
        (.release, .hold, .makeDue), (.release, .deferred, .skip(waiting)),
        (.release, .dead, .skip("dead entries need 'credsync queue retry'")), (.release, .corrupt, .skip(corrupt)),
        (.drop, .deferred, .remove), (.drop, .hold, .remove), (.drop, .dead, .remove), (.drop, .corrupt, .remove),
    ]

    @Test(arguments: table) func aQueueCommandActsOnSomeStatesAndSaysWhyItLeavesTheOthers(
        _ command: Command, _ state: SpoolState, _ expected: PushLifecycle.Step
    ) {
        #expect(PushLifecycle.step(command, state) == expected)
    }

    @Test func theTableCoversEveryCommandInEveryState() {
        let pairs = Set(Self.table.map { "\($0.0.rawValue) \($0.1.rawValue)" })
        #expect(pairs.count == Command.allCases.count * SpoolState.allCases.count)
    }

    static let acted: [(Command, [SpoolState])] = [
        (.retry, [.deferred, .dead]), (.hold, [.deferred]), (.release, [.hold]), (.drop, SpoolState.allCases),
    ]

    @Test(arguments: acted) func eachCommandActsOnTheStatesItNames(_ command: Command, _ states: [SpoolState]) {
        #expect(PushLifecycle.states(actedOnBy: command) == Set(states))
    }
}
