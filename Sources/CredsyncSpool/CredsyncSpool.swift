// CredsyncSpool: the on-disk retry queues per platform, modelled on Postfix's queue: deferred
// (waiting for the next try), hold (kept until an operator releases it), dead (gave up) and corrupt
// (unreadable). It must not plan or map records.
import CredsyncCore
