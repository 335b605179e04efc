// CredsyncMapping: turns catalog rows into national records through the declarative mapping files, validates them against the national formats (also data) and sets aside bad records with every reason.
// It must not decide what is published when, or talk to a platform.
import CredsyncCore
