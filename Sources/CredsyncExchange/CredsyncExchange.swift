// CredsyncExchange: the national platforms' clients over libcurl: HTTP with mutual TLS, the platform client (push,
// receipts, manifests, feeds, probes) and the SFTP file channel. The wire itself is CredsyncProtocol's.
// It must not decide what to send: it pushes what it is given.
import CredsyncCore
