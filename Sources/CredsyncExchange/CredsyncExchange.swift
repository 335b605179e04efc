// CredsyncExchange: speaks the national exchange interface over libcurl: signing, batches, manifests, feeds, flow control.
// It must not decide what to send: it pushes what it is given.
import CredsyncCore
