import CredsyncSandbox
import Foundation

signal(SIGPIPE, SIG_IGN)
exit(
    SandboxCommand.main(
        arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
