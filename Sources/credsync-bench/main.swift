import CredsyncCore
import Foundation

// credsync-bench: speed and memory figures, measured in one run and reported as ratios.
signal(SIGPIPE, SIG_IGN)
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
    USAGE: credsync-bench <benchmark> [options]

    BENCHMARKS:
      ledger  Save and load a ledger: --entries N (1000000).
      store   Load the enterprise store: --enterprises N (1000000) written, loaded, looked up.
      state   The SQLite state store: --entries N (100000) queue entries written and listed,
              --ledger N (1000000) ledger rows written and iterated.
      plan    1,000,000 licenses planned cold (empty ledger) and warm (ledger matches, 0.1% changed), against map.
              --rows N (1000000) --repeat K (2: map and warm plan in turns, the fastest of each compared)
              --export realistic|repetitive --seed S (as for map)
      queue   Enqueue and complete entries in the state store, and list them.
              --entries N (100000) --batch N (100 a transaction) --state-dir DIR --keep yes (leave the queue for timing `credsync queue list`)
      map     Generate a GB18030 license export and read + map + validate + canonicalise + hash it (both platforms'
              date forms) on both cores; compare with sha256sum over the same file (the floor).
              --rows N (1000000) --mapping FILE (mappings/license.json)
              --export realistic|repetitive (realistic: every column varied; repetitive: the first generator)
              --seed S (20261202: the realistic export's seed)
              --runs K (3: the floor and the map in turns, the fastest of each compared)
              --stage read|decode|map|validate|hash (stop after that stage; hash, the default, is all of it)
              --profile (then every stage on its own, and the warm plan: where the time goes)
              --workers N (the cores: mapping threads)
      export-stats  The entropy built into the realistic export: distinct values per column and more.
              --rows N (1000000) --seed S (20261202) --write FILE (also write the export there)
      push    Push records to the sandbox with latency and a rate limit injected; compare with the bound
              min(rate, concurrency / latency) × batch size.
              --records N (100000) --latency-ms L (50) --rate R (20) --burst B (40) --concurrency C (4) --batch-size S (500)
      sync    The whole `credsync sync` of a realistic license export against credsync-sandbox, cold then warm (nothing
              changed): wall, CPU and peak memory of the credsync process, against the push bound plus a cold
              `credsync plan`, and the warm sync against `credsync map`, all in one run. Needs credsync and
              credsync-sandbox built next to credsync-bench; run from the package's directory.
              --rows N (1000000) --platforms credit,gsxt --seed S (20261202) --rate R (20) --burst B (40)
              --latency-ms L (50) --concurrency C (4) --batch-size S (500) --keep (leave the temporary directory)
              --json (the figures as one JSON object)
    """
guard let name = arguments.first, name != "-h", name != "--help" else {
    print(usage)
    exit(arguments.isEmpty ? 64 : 0)
}
let options = BenchOptions(Array(arguments.dropFirst()))
switch name {
case "push": exit(await PushBenchmark(options: options).run())
case "sync": exit(SyncBenchmark(options: options).run())
case "map": exit(MapBenchmark(options: options).run())
case "export-stats": exit(ExportStatsBenchmark(options: options).run())
case "queue": exit(await QueueBenchmark(options: options).run())
case "plan": exit(PlanBenchmark(options: options).run())
case "store": exit(StoreBenchmark(options: options).run())
case "ledger": exit(LedgerBenchmark(options: options).run())
case "state": exit(StateStoreBenchmark(options: options).run())
default:
    FileOutput.writeAll(2, "error: unknown benchmark '\(name)'\nhint: use credsync-bench --help\n")
    exit(64)
}
