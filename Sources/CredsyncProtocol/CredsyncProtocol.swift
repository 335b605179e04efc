// CredsyncProtocol: the national exchange interface without a transport: the wire types, batches,
// request signing, percent-encoding, flow control (token bucket, Retry-After), HTTP messages as
// values, and the file channel's layout and signatures. Both credsync and the sandbox speak it.
// It must not open a connection: libcurl is CredsyncExchange's.
import CredsyncCore
