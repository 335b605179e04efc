import CredsyncCLI
import CredsyncCore

#if canImport(Glibc)
    import Glibc
    import _CredsyncEngine
#endif

FreedMemory.limitArenas()
let environment = Dictionary(
    CommandLine.arguments.isEmpty ? [] : environmentPairs(), uniquingKeysWith: { _, last in last })
// The arguments as bytes: `CommandLine.arguments` would replace what is not UTF-8 with U+FFFD.
let rawArguments = stride(from: 1, to: Int(CommandLine.argc), by: 1).map { i -> [UInt8] in
    guard let argument = CommandLine.unsafeArgv[i] else { return [] }
    return Array(UnsafeRawBufferPointer(start: argument, count: strlen(argument)))
}
exit(await CredsyncCommand.main(rawArguments: rawArguments, environment: environment))

func environmentPairs() -> [(String, String)] {
    var pairs: [(String, String)] = []
    var pointer = environ
    while let entry = pointer.pointee {
        let text = String(cString: entry)
        if let equals = text.firstIndex(of: "=") {
            pairs.append((String(text[..<equals]), String(text[text.index(after: equals)...])))
        }
        pointer += 1
    }
    return pairs
}
