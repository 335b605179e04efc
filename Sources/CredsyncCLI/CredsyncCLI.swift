// CredsyncCLI: the `credsync` command line: the command table with its help, the parser, and
// the commands, each calling into the pipeline's modules. It holds no pipeline logic itself.
import CredsyncCore
