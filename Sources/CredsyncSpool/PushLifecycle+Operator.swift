extension PushLifecycle {
    /// The queue commands that change entries.
    package enum Command: String, Sendable, CaseIterable {
        /// Makes deferred and dead entries due now.
        case retry
        /// Keeps deferred entries until released.
        case hold
        /// Makes held entries due now.
        case release
        /// Deletes entries in any state, corrupt ones included.
        case drop
    }

    /// What a queue command does to one entry.
    package enum Step: Sendable, Equatable {
        /// Rewritten as deferred, due now.
        case makeDue
        /// Moved to hold, its next attempt kept.
        case hold
        /// Deleted with its history.
        case remove
        /// Left as it is, and why (naming what acts on it instead).
        case skip(String)
    }

    /// What `command` does to an entry in `state`.
    package static func step(_ command: Command, _ state: SpoolState) -> Step {
        switch (command, state) {
        case (.drop, _): .remove
        case (_, .corrupt): .skip("corrupt entries can only be dropped ('credsync queue drop ID')")
        case (.retry, .deferred), (.retry, .dead), (.release, .hold): .makeDue
        case (.hold, .deferred): .hold
        case (.hold, .hold): .skip("already held")
        case (_, .hold): .skip("held entries need 'credsync queue release'")
        case (.hold, .dead): .skip("dead entries are retried ('credsync queue retry') or dropped")
        case (_, .deferred): .skip("deferred entries are already waiting for their next try")
        case (.release, .dead): .skip("dead entries need 'credsync queue retry'")
        }
    }

    /// The states `command` acts on.
    package static func states(actedOnBy command: Command) -> Set<SpoolState> {
        Set(SpoolState.allCases.filter { if case .skip = step(command, $0) { false } else { true } })
    }
}
