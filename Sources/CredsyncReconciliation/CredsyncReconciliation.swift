// CredsyncReconciliation: the ledger of what each platform holds, and the plan: the desired state
// (valid mapped records under the publicity rules) against the ledger, with the guardrails.
// It must not send anything over the network.
import CredsyncCore
