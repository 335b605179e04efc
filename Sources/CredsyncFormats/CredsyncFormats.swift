// CredsyncFormats: the data under `mappings/` and the rules it holds: the national formats and their
// validation, the mapping definitions (loaded, not yet run), conditions and values, the national
// record, and the periods: the publicity rules (`mappings/publicity.json`) and the working-day calendar
// (`mappings/calendar-cn.json`). It must not read catalogs, the ledger, or talk to a platform.
import CredsyncCore
