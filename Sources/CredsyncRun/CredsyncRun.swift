// CredsyncRun: the jobs: nightly sync, reconciliation runs, reports, metrics and the audit log, wiring the stages together.
// It must not parse command lines.
import CredsyncCore
