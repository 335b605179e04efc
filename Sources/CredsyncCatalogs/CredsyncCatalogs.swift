// CredsyncCatalogs: reads the province's nightly exports (CSV in GB18030 or UTF-8, JSON Lines) row
// by row in constant memory, and reports a row that cannot be read with its file, line and reason.
// It must not know about national formats or mappings: a row is column names and text.
import CredsyncCore
