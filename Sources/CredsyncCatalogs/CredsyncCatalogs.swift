// CredsyncCatalogs: reads the province's nightly exports (CSV in GB18030 or UTF-8, JSON Lines) row by row, in constant memory, reporting unreadable rows with file, line and reason.
// It must not know about national formats or mappings.
import CredsyncCore
