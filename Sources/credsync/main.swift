import CredsyncCLI

#if canImport(Glibc)
import Glibc
#endif

let environment = Dictionary(
    CommandLine.arguments.isEmpty ? [] : environmentPairs(), uniquingKeysWith: { _, last in last })
exit(await CredsyncCommand.main(arguments: Array(CommandLine.arguments.dropFirst()), environment: environment))

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
