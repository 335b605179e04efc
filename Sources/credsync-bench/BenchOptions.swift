import Foundation

/// `--name value` options of a benchmark.
struct BenchOptions {
    private var values: [String: String] = [:]

    init(_ arguments: [String]) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("--") else { continue }
            // A flag (`--profile`) takes no value when the next argument is another option.
            let value = rest.first.map { $0.hasPrefix("--") } == false ? rest.popFirst() : nil
            values[String(argument.dropFirst(2))] = value ?? ""
        }
    }

    func int(_ name: String, _ fallback: Int) -> Int { values[name].flatMap(Int.init) ?? fallback }
    func string(_ name: String) -> String? { values[name] }
    func double(_ name: String, _ fallback: Double) -> Double { values[name].flatMap(Double.init) ?? fallback }
}

/// Peak resident memory of this process so far, in MB (from /proc).
func peakMemoryMB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let digits = line.filter { $0.isNumber }
        return (Double(digits) ?? 0) / 1024
    }
    return 0
}

/// CPU seconds this process has used so far, every thread, user and system.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}
