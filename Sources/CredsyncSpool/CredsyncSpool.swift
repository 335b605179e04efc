// CredsyncSpool: the retry queues per platform, in the state store, modelled on Postfix's queue:
// deferred (waiting for the next try), hold (kept until an operator releases it), dead (gave up);
// corrupt names a row that cannot be read back. It must not plan or map records.
import CredsyncCore
