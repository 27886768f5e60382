# What happens to personal data and secrets found in prompts (input) and answers (output).
# Actions, from least to most protective: allow < mask < hash < tokenize = redact < block.
package gateway

import rego.v1

action_rank := {"allow": 0, "mask": 1, "hash": 2, "tokenize": 3, "redact": 3, "block": 4}

# The more protective of two actions (either may be null = not set); on a tie the workspace's choice wins.
stricter(org_action, ws_action) := ws_action if {
	org_action == null
} else := org_action if {
	ws_action == null
} else := ws_action if {
	action_rank[ws_action] >= action_rank[org_action]
} else := org_action

# The action a level sets for a type: its own entry, else its "*" default, else null.
level_action(level, direction, type) := object.get(level, ["pii", direction, type], object.get(level, ["pii", direction, "*"], null))

effective_action(direction, type) := stricter(level_action(org, direction, type), level_action(ws, direction, type))

action_types(direction) := {t | some level in [org, ws]; some t, _ in object.get(level, ["pii", direction], {})}

# Named types, "*" and every type found in this request get their effective action.
pii_action_map(direction, found) := {t: a |
	some t in action_types(direction) | {t2 | some t2, _ in found}
	a := effective_action(direction, t)
	a != null
}

pii_actions := pii_action_map("input", object.get(input, ["pii", "input"], {}))

output_pii_actions := pii_action_map("output", {})

# Limits on how many findings of a type a prompt may carry (the smaller of both levels).
max_findings(type) := min({n |
	some level in [org, ws]
	n := object.get(level, ["pii", "max_findings", type], null)
	is_number(n)
})
