import CredsyncCore

/// What an option takes.
public enum OptionValue: Sendable, Equatable {
    /// No value: present or not.
    case flag
    /// Free text, e.g. a key or a file.
    case text
    /// One of a closed set.
    case choice([String])
    /// A calendar date `YYYY-MM-DD`.
    case date
    /// A whole number in a range.
    case count(ClosedRange<Int>)
    /// A duration like `2h` or `30m`.
    case duration
}

/// One `--name` option of a command.
public struct OptionSpec: Sendable, Equatable {
    /// The long name without dashes, e.g. `platform`.
    public var name: String
    /// A one-letter alias, e.g. `y` for `-y`.
    public var short: Character?
    public var value: OptionValue
    /// The placeholder in help, e.g. `platform`.
    public var valueName: String
    public var help: String
    /// Whether it may be given several times (values accumulate); otherwise the last one wins.
    public var isRepeatable: Bool

    public init(
        _ name: String, short: Character? = nil, value: OptionValue = .flag, valueName: String? = nil,
        repeatable: Bool = false, help: String
    ) {
        self.name = name
        self.short = short
        self.value = value
        self.valueName = valueName ?? name
        self.help = help
        self.isRepeatable = repeatable
    }

    public var isFlag: Bool { value == .flag }

    /// `--platform <platform>` or `-y, --yes`.
    var synopsis: String {
        var text = short.map { "-\($0), " } ?? ""
        text += "--\(name)"
        if !isFlag { text += " <\(valueName)>" }
        return text
    }
}

/// The positional arguments a command takes.
public struct ArgumentsSpec: Sendable, Equatable {
    /// The placeholder in help, e.g. `ID…`.
    public var name: String
    public var minimum: Int
    public var maximum: Int?
    public var help: String

    public init(_ name: String, minimum: Int = 0, maximum: Int? = nil, help: String) {
        self.name = name
        self.minimum = minimum
        self.maximum = maximum
        self.help = help
    }

    public static let none = ArgumentsSpec("", minimum: 0, maximum: 0, help: "")
}

/// A command or subcommand: its name, help, options, arguments and subcommands.
public struct CommandSpec: Sendable {
    public var name: String
    /// One line for lists.
    public var abstract: String
    /// Paragraphs for the command's own help.
    public var discussion: String
    public var options: [OptionSpec]
    public var arguments: ArgumentsSpec
    public var subcommands: [CommandSpec]

    public init(
        _ name: String, abstract: String, discussion: String = "", options: [OptionSpec] = [],
        arguments: ArgumentsSpec = .none, subcommands: [CommandSpec] = []
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.options = options
        self.arguments = arguments
        self.subcommands = subcommands
    }

    public func subcommand(_ name: String) -> CommandSpec? {
        subcommands.first { $0.name == name }
    }
}
