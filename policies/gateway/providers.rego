# Which candidate endpoints may receive the request, and why the others may not.
# An attribute that is unknown (null) never counts as compliant for a rule that needs it.
package gateway

import rego.v1

exclusion contains [c.id, "zero data retention required"] if {
	require_zdr
	some c in input.candidates
	c.zero_data_retention != true
}

exclusion contains [c.id, msg] if {
	deny_training
	some c in input.candidates
	c.trains_on_data != false
	msg := training_message(c.trains_on_data)
}

training_message(true) := "trains on prompts"

training_message(null) := "may train on prompts (unknown)"

exclusion contains [c.id, sprintf("jurisdiction %s blocked", [upper(c.jurisdiction)])] if {
	some c in input.candidates
	is_string(c.jurisdiction)
	upper(c.jurisdiction) in blocked_jurisdictions
}

exclusion contains [c.id, "jurisdiction unknown"] if {
	count(blocked_jurisdictions) > 0
	some c in input.candidates
	not is_string(c.jurisdiction)
}

exclusion contains [c.id, msg] if {
	region_restricted
	some c in input.candidates
	is_array(c.data_regions)
	not regions_allowed(c.data_regions)
	msg := sprintf("data region %s not allowed", [concat("+", c.data_regions)])
}

exclusion contains [c.id, "data regions unknown"] if {
	region_restricted
	some c in input.candidates
	not is_array(c.data_regions)
}

exclusion contains [c.id, sprintf("certification %s missing", [cert])] if {
	some cert in required_certifications
	some c in input.candidates
	not cert in object.get(c, "certifications", [])
}

exclusion contains [c.id, "endpoint not in the allowlist"] if {
	some c in input.candidates
	not allowed_by_both(["providers", "allow_endpoints"], c.id)
}

exclusion contains [c.id, "endpoint denied"] if {
	some c in input.candidates
	some pattern in deny_endpoint_patterns
	glob.match(pattern, [], c.id)
}

excluded := {id: reasons |
	some [id, _] in exclusion
	reasons := sort({r | some [i, r] in exclusion; i == id})
}

# Allowed endpoints, best first, by the routing hint.
allowed_endpoints := [t[3] | some t in sort(ranked)]

ranked contains [sort_key(c), c.priority, 0, c.id] if {
	some c in input.candidates
	not excluded[c.id]
}

# "price": cheapest first (an unknown price sorts last); "priority": the catalog's order;
# "latency": the catalog's order here, re-ordered by the gateway by observed latency.
sort_key(c) := price if {
	routing_sort == "price"
	price := c.price.input + c.price.output
} else := 1e12 if {
	routing_sort == "price"
} else := 0
