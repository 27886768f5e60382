# The gateway's entrypoint: one decision per request (data.gateway.decision).
package gateway

import rego.v1

default allow := false

allow if count(deny) == 0

obligations := object.union({"store_prompt": store_prompt_flag}, max_tokens_obligation)

store_prompt_flag := true if store_prompt else := false

# With a ceiling set, requests without max_tokens get it (the gateway fills it in).
max_tokens_obligation := {"max_tokens": max_tokens_limit} if max_tokens_limit else := {}

decision := {
	"allow": allow,
	"deny": deny,
	"pii_actions": pii_actions,
	"output_pii_actions": output_pii_actions,
	"allowed_endpoints": allowed_endpoints,
	"excluded": excluded,
	"routing": {"sort": routing_sort},
	"obligations": obligations,
}
