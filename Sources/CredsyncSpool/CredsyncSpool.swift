// CredsyncSpool: the on-disk retry queues per platform (deferred, hold, dead, corrupt), modelled on Postfix's queue.
// It must not plan or map records.
import CredsyncCore
