// CredsyncSandbox: the national platforms' sandbox: credit, gsxt and ipp on loopback, as exchange-api.md describes, with faults on demand.
// It must not be used by credsync itself: it is the other side.
import CredsyncCore
