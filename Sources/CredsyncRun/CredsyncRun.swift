// CredsyncRun: the jobs: the nightly sync, plans, reconciliation runs, deadlines, reports, metrics
// and the audit log, wiring the stages together. It must not parse command lines.
import CredsyncCore
