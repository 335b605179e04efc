// CredsyncCore: what every stage shares: errors and exit codes, JSON (parsing, canonical form),
// hashing through libcrypto, logging with secret redaction, dates, and the configuration.
// It must not know about any stage of the pipeline: no catalogs, mappings, plans or platforms' wire formats.

/// The version `credsync --version` prints.
public let credsyncVersion = "0.1.0"
