// CredsyncPublicity: the publicity rules (data, `mappings/publicity.json`) and the working-day
// calendar (data, `mappings/calendar-cn.json`): what each platform must show on a date, when it
// had to be published or withdrawn by. It must not read the ledger or talk to a platform.
import CredsyncCore
