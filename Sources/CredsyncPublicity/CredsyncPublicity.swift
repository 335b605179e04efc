// CredsyncPublicity: the publicity rules (as data) and the working-day calendar: what each platform must show on a date, and the deadlines.
// It must not read the ledger or talk to a platform.
import CredsyncCore
