// CredsyncReconciliation: the ledger of what each platform holds, and the plan: desired state against the ledger, with the guardrails.
// It must not send anything over the network.
import CredsyncCore
