// Lists each target's imports against its dependencies in Package.swift and fails on a dependency
// a target does not import, or an import of a package module it does not declare.
// Run from the package root: `swift ops/check-deps.swift` (ops/check-deps does). Silent when the graph
// is right; `--list` also prints each target's imports.
import Foundation

struct Manifest: Decodable {
    struct Target: Decodable {
        var name: String
        var type: String
        var path: String?
        var dependencies: [Dependency]
    }
    struct Dependency: Decodable {
        var byName: [String?]?
        var target: [String?]?
        var product: [String?]?
        var name: String? { (byName ?? target ?? product)?.first ?? nil }
    }
    var targets: [Target]
}

let root = FileManager.default.currentDirectoryPath
let dump = Process()
dump.executableURL = URL(fileURLWithPath: "/usr/bin/env")
dump.arguments = ["swift", "package", "dump-package"]
let pipe = Pipe()
dump.standardOutput = pipe
try dump.run()
let json = pipe.fileHandleForReading.readDataToEndOfFile()
dump.waitUntilExit()
let manifest = try JSONDecoder().decode(Manifest.self, from: json)
let names = Set(manifest.targets.map(\.name))
let listing = CommandLine.arguments.contains("--list")

/// The modules a directory's Swift files import.
func imports(under directory: String) -> Set<String> {
    var found: Set<String> = []
    guard let walker = FileManager.default.enumerator(atPath: directory) else { return found }
    let modifiers = #"(?:@\w+(?:\([^)]*\))?\s+)*(?:public |package |internal |private |fileprivate )?"#
    let kinds = #"(?:struct |class |enum |func |protocol |typealias |var |let )?"#
    guard
        let pattern = try? NSRegularExpression(
            pattern: #"^\s*"# + modifiers + #"import\s+"# + kinds + #"([A-Za-z_][A-Za-z0-9_]*)"#,
            options: [.anchorsMatchLines])
    else { fatalError("check-deps: the import pattern does not compile") }
    for case let file as String in walker where file.hasSuffix(".swift") {
        guard let text = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8) else { continue }
        let range = NSRange(text.startIndex..., in: text)
        for match in pattern.matches(in: text, range: range) {
            if let name = Range(match.range(at: 1), in: text) { found.insert(String(text[name])) }
        }
    }
    return found
}

var problems: [String] = []
for target in manifest.targets where target.type != "system" {
    let directory = root + "/" + (target.path ?? (target.type == "test" ? "Tests/" : "Sources/") + target.name)
    let used = imports(under: directory)
    let declared = Set(target.dependencies.compactMap(\.name))
    let unused = declared.subtracting(used).sorted()
    let undeclared = used.intersection(names).subtracting(declared).subtracting([target.name]).sorted()
    if listing { print("\(target.name): imports \(used.intersection(names).sorted().joined(separator: ", "))") }
    for name in unused { problems.append("\(target.name) depends on \(name) but imports nothing of it") }
    for name in undeclared { problems.append("\(target.name) imports \(name) without declaring it") }
}
if !problems.isEmpty {
    for problem in problems { FileHandle.standardError.write(Data(("check-deps: " + problem + "\n").utf8)) }
    exit(1)
}
