public import CredsyncCore

/// The store's schema, as ordered migrations: migration n turns a store at version n-1 into one at
/// version n, in one transaction, and `schema_version` lists every migration applied.
///
/// Version 1 (times are Unix seconds; platform is credit|gsxt|ipp, dataset is
/// license|penalty|dishonesty|pledge):
///
///     schema_version    version PK, applied_at
///     ledger            platform, dataset, key PK; status published|withdrawn, version, hash (SHA-256 of
///                       the canonical payload), batch (empty when set by reconcile --repair),
///                       created_at, updated_at
///     accepted_payload  platform, dataset, key PK -> ledger; payload (canonical JSON, 证件号码 masked),
///                       accepted_at. One row a key, replaced on every acceptance.
///     rejected          platform, dataset, key PK; hash (withdraw for a withdrawal), rejected_at, reason
///     export_history    id PK; dataset, records (valid records in the export), recorded_at, run_id
///     pull_cursor       feed PK; cursor, pulled_at
///     enterprise        uscc PK (a code shaped like a 身份证号 as sha256:<hex>); record (gsxt's JSON, 证件号码
///                       masked, NULL when not_found), not_found 0|1, seq (the feed's, NULL when from a query),
///                       fetched_at
///     serious_illegal   uscc (as in enterprise), seq PK; entry (the list feed's JSON, 证件号码 masked)
///     queue             id PK; platform, dataset, key, op upsert|withdraw, reason, state deferred|hold|dead,
///                       payload (a JSON object, NULL for a withdrawal), hash, batch, attempts, first_attempt,
///                       last_attempt, next_attempt
///     queue_error       queue_id -> queue (deleted with it), seq PK; at, class transient|permanent,
///                       status (HTTP), code (the platform's), message (证件号码 masked)
///     run_summary       run_id PK; as_of (YYYY-MM-DD), started_at, finished_at, dry_run 0|1, exit_code
///     run_outcome       run_id -> run_summary, platform, dataset PK; created, updated, withdrawn, unchanged,
///                       rejected, queued, held, dead
///     imported_file     path PK (relative to the state directory); bytes, sha256, imported_at, moved_to:
///                       the file-based release's files the upgrade imported (see StateImport)
///
/// Version 2 adds the approvals of plans a guardrail refused:
///
///     refused_plan      id PK (P-<yyyymmdd>-<hex>); platform, dataset, refused_by (Unix user), refused_at,
///                       message, digest (SHA-256 of the sorted change lines), changes (their number)
///     refused_change    plan_id -> refused_plan, key, op create|update|withdraw, detail PK: the change set
///                       (detail: the payload hash of an upsert, the reason of a withdrawal); no payload
///     approval          plan_id PK -> refused_plan; approved_by (Unix user), approved_at, reason, used_at
///                       and used_by (the run id) once a run executed it (NULL before)
///
/// Version 3 adds the receipts of asynchronous platforms (exchange-api.md 1.1, "Receipts"):
///
///     receipt           platform, dataset, key, version PK; op upsert|withdraw, state accepted (pending: no
///                       receipt yet)|published|failed, hash (of the version's payload, NULL for a withdrawal),
///                       batch, request_id (of the answer that accepted it), accepted_at, seq (the receipt's,
///                       NULL while pending: a receipt with a seq not above it changes nothing), at (RFC 3339,
///                       from the receipt), remote_id (published upserts), errors (failed: a JSON array of
///                       {code, field, message}, 证件号码 masked)
///     receipt_cursor    platform, dataset PK; cursor (of the receipts feed, saved in the transaction that
///                       records the page it follows), read_at
///
/// Version 4 adds the batches sent through a 前置机 (exchange-api.md 1.1, "The file channel"), kept
/// until their answer is applied:
///
///     channel_batch     batch_id PK; platform, dataset, state uploading (the `.part` may be partial: never
///                       renamed)|uploaded (the `.part` is whole; the rename may have happened)|sent (renamed:
///                       the platform may take it)|answered, records, body_sha256 (of the batch file: a `.part`
///                       is renamed after a crash only if it is still these bytes), created_at, sent_at,
///                       answered_at, answer (the answer file applied)
///     channel_record    batch_id -> channel_batch (deleted with it), position PK; key, op create|update|withdraw,
///                       reason, hash (NULL for a withdrawal), payload (the payload as kept, 证件号码 masked, NULL
///                       for a withdrawal). What applying the answer needs; nothing is re-sent from it.
package enum Schema {
    /// One step of the schema.
    package struct Migration: Sendable {
        package var version: Int
        package var sql: String
    }

    /// The newest version this build knows.
    package static var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Every migration, in order; a new one is appended, an applied one never changes.
    package static let migrations: [Migration] = [
        Migration(version: 1, sql: version1), Migration(version: 2, sql: version2),
        Migration(version: 3, sql: version3), Migration(version: 4, sql: version4),
    ]

    static let version1 = """
        CREATE TABLE ledger (
            platform TEXT NOT NULL CHECK (platform IN ('credit', 'gsxt', 'ipp')),
            dataset TEXT NOT NULL CHECK (dataset IN ('license', 'penalty', 'dishonesty', 'pledge')),
            key TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('published', 'withdrawn')),
            version INTEGER NOT NULL,
            hash TEXT NOT NULL,
            batch TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (platform, dataset, key)
        ) WITHOUT ROWID;
        CREATE TABLE accepted_payload (
            platform TEXT NOT NULL,
            dataset TEXT NOT NULL,
            key TEXT NOT NULL,
            payload TEXT NOT NULL,
            accepted_at INTEGER NOT NULL,
            PRIMARY KEY (platform, dataset, key),
            FOREIGN KEY (platform, dataset, key) REFERENCES ledger (platform, dataset, key) ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE TABLE rejected (
            platform TEXT NOT NULL CHECK (platform IN ('credit', 'gsxt', 'ipp')),
            dataset TEXT NOT NULL CHECK (dataset IN ('license', 'penalty', 'dishonesty', 'pledge')),
            key TEXT NOT NULL,
            hash TEXT NOT NULL,
            rejected_at INTEGER NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (platform, dataset, key)
        ) WITHOUT ROWID;
        CREATE TABLE export_history (
            id INTEGER PRIMARY KEY,
            dataset TEXT NOT NULL CHECK (dataset IN ('license', 'penalty', 'dishonesty', 'pledge')),
            records INTEGER NOT NULL CHECK (records >= 0),
            recorded_at INTEGER NOT NULL,
            run_id TEXT NOT NULL
        );
        CREATE INDEX export_history_by_dataset ON export_history (dataset, id);
        CREATE TABLE pull_cursor (
            feed TEXT PRIMARY KEY,
            cursor TEXT NOT NULL,
            pulled_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE enterprise (
            uscc TEXT PRIMARY KEY,
            record TEXT,
            not_found INTEGER NOT NULL CHECK (not_found IN (0, 1)),
            seq INTEGER,
            fetched_at REAL NOT NULL,
            CHECK ((record IS NULL) = (not_found = 1))
        ) WITHOUT ROWID;
        CREATE TABLE serious_illegal (
            uscc TEXT NOT NULL,
            seq INTEGER NOT NULL,
            entry TEXT NOT NULL,
            PRIMARY KEY (uscc, seq)
        ) WITHOUT ROWID;
        CREATE TABLE queue (
            id TEXT PRIMARY KEY,
            platform TEXT NOT NULL CHECK (platform IN ('credit', 'gsxt', 'ipp')),
            dataset TEXT NOT NULL CHECK (dataset IN ('license', 'penalty', 'dishonesty', 'pledge')),
            key TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('upsert', 'withdraw')),
            reason TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('deferred', 'hold', 'dead')),
            payload TEXT CHECK (payload IS NULL OR json_valid(payload) AND json_type(payload) = 'object'),
            hash TEXT,
            batch TEXT,
            attempts INTEGER NOT NULL CHECK (attempts >= 0),
            first_attempt REAL NOT NULL,
            last_attempt REAL NOT NULL,
            next_attempt REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX queue_by_key ON queue (platform, dataset, key);
        CREATE INDEX queue_by_due ON queue (state, next_attempt);
        CREATE TABLE queue_error (
            queue_id TEXT NOT NULL REFERENCES queue (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            at REAL NOT NULL,
            class TEXT NOT NULL CHECK (class IN ('transient', 'permanent')),
            status INTEGER,
            code TEXT,
            message TEXT NOT NULL,
            PRIMARY KEY (queue_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE run_summary (
            run_id TEXT PRIMARY KEY,
            as_of TEXT NOT NULL,
            started_at REAL NOT NULL,
            finished_at REAL NOT NULL,
            dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
            exit_code INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE run_outcome (
            run_id TEXT NOT NULL REFERENCES run_summary (run_id) ON DELETE CASCADE,
            platform TEXT NOT NULL,
            dataset TEXT NOT NULL,
            created INTEGER NOT NULL,
            updated INTEGER NOT NULL,
            withdrawn INTEGER NOT NULL,
            unchanged INTEGER NOT NULL,
            rejected INTEGER NOT NULL,
            queued INTEGER NOT NULL,
            held INTEGER NOT NULL,
            dead INTEGER NOT NULL,
            PRIMARY KEY (run_id, platform, dataset)
        ) WITHOUT ROWID;
        CREATE TABLE imported_file (
            path TEXT PRIMARY KEY,
            bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            imported_at REAL NOT NULL,
            moved_to TEXT NOT NULL
        ) WITHOUT ROWID;
        """

    static let version2 = """
        CREATE TABLE refused_plan (
            id TEXT PRIMARY KEY,
            platform TEXT NOT NULL CHECK (platform IN ('credit', 'gsxt', 'ipp')),
            dataset TEXT NOT NULL CHECK (dataset IN ('license', 'penalty', 'dishonesty', 'pledge')),
            refused_by TEXT NOT NULL,
            refused_at REAL NOT NULL,
            message TEXT NOT NULL,
            digest TEXT NOT NULL,
            changes INTEGER NOT NULL CHECK (changes >= 0)
        ) WITHOUT ROWID;
        CREATE INDEX refused_plan_by_target ON refused_plan (platform, dataset, refused_at);
        CREATE TABLE refused_change (
            plan_id TEXT NOT NULL REFERENCES refused_plan (id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('create', 'update', 'withdraw')),
            detail TEXT NOT NULL,
            PRIMARY KEY (plan_id, key, op, detail)
        ) WITHOUT ROWID;
        CREATE TABLE approval (
            plan_id TEXT PRIMARY KEY REFERENCES refused_plan (id) ON DELETE CASCADE,
            approved_by TEXT NOT NULL,
            approved_at REAL NOT NULL,
            reason TEXT,
            used_at REAL,
            used_by TEXT
        ) WITHOUT ROWID;
        """

    static let version3 = """
        CREATE TABLE receipt (
            platform TEXT NOT NULL CHECK (platform IN ('credit', 'gsxt', 'ipp')),
            dataset TEXT NOT NULL CHECK (dataset IN ('license', 'penalty', 'dishonesty', 'pledge')),
            key TEXT NOT NULL,
            version INTEGER NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('upsert', 'withdraw')),
            state TEXT NOT NULL CHECK (state IN ('accepted', 'published', 'failed')),
            hash TEXT,
            batch TEXT NOT NULL,
            request_id TEXT NOT NULL,
            accepted_at REAL NOT NULL,
            seq INTEGER,
            at TEXT,
            remote_id TEXT,
            errors TEXT CHECK (errors IS NULL OR json_valid(errors) AND json_type(errors) = 'array'),
            PRIMARY KEY (platform, dataset, key, version),
            CHECK ((state = 'accepted') = (seq IS NULL))
        ) WITHOUT ROWID;
        CREATE INDEX receipt_by_state ON receipt (state, platform, dataset);
        CREATE TABLE receipt_cursor (
            platform TEXT NOT NULL CHECK (platform IN ('credit', 'gsxt', 'ipp')),
            dataset TEXT NOT NULL CHECK (dataset IN ('license', 'penalty', 'dishonesty', 'pledge')),
            cursor TEXT NOT NULL,
            read_at REAL NOT NULL,
            PRIMARY KEY (platform, dataset)
        ) WITHOUT ROWID;
        """

    static let version4 = """
        CREATE TABLE channel_batch (
            batch_id TEXT PRIMARY KEY,
            platform TEXT NOT NULL CHECK (platform IN ('credit', 'gsxt', 'ipp')),
            dataset TEXT NOT NULL CHECK (dataset IN ('license', 'penalty', 'dishonesty', 'pledge')),
            state TEXT NOT NULL CHECK (state IN ('uploading', 'uploaded', 'sent', 'answered')),
            records INTEGER NOT NULL,
            body_sha256 TEXT NOT NULL,
            created_at REAL NOT NULL,
            sent_at REAL,
            answered_at REAL,
            answer TEXT
        ) WITHOUT ROWID;
        CREATE INDEX channel_batch_by_state ON channel_batch (platform, dataset, state);
        CREATE TABLE channel_record (
            batch_id TEXT NOT NULL REFERENCES channel_batch (batch_id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            key TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('create', 'update', 'withdraw')),
            reason TEXT NOT NULL,
            hash TEXT,
            payload TEXT,
            PRIMARY KEY (batch_id, position)
        ) WITHOUT ROWID;
        CREATE INDEX channel_record_by_key ON channel_record (key);
        """

    /// Brings the database to the latest version, one migration a transaction. A store written by
    /// a newer credsync (a version this build does not know) is refused, never changed.
    /// A store already at the latest version is only read, so opening it never waits for a run's lock.
    package static func migrate(_ database: Database, now: Double = Timestamp.now()) throws(CredsyncError) {
        let found = try version(of: database)
        if found > latestVersion { throw newer(found, database) }
        guard found < latestVersion else { return }
        try database.transaction { () throws(CredsyncError) in
            try database.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)")
        }
        for migration in migrations {
            try database.transaction { () throws(CredsyncError) in
                let current = try database.integer("SELECT max(version) FROM schema_version") ?? 0
                if current > latestVersion { throw newer(current, database) }
                guard current < migration.version else { return }
                for statement in statements(of: migration.sql) { try database.execute(statement) }
                try database.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                    [.int(migration.version), .real(now)])
            }
        }
    }

    private static func newer(_ version: Int, _ database: Database) -> CredsyncError {
        CredsyncError(
            .ioError,
            "\(database.path): the state store is at schema version \(version), "
                + "this credsync knows versions up to \(latestVersion)",
            hint: "run the credsync release that wrote it (or a newer one); this one leaves the store alone")
    }

    /// The version the database is at (0 for an empty file).
    package static func version(of database: Database) throws(CredsyncError) -> Int {
        let exists =
            try database.integer(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'") ?? 0
        guard exists > 0 else { return 0 }
        return try database.integer("SELECT max(version) FROM schema_version") ?? 0
    }

    /// A migration's statements. They hold no `;` inside strings or triggers.
    private static func statements(of sql: String) -> [String] {
        sql.split(separator: ";").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
