# Rules about the request itself: models, token ceilings, PII blocks and limits, required metadata.
package gateway

import rego.v1

deny contains {
	"code": "model_not_allowed",
	"message": sprintf("model %s is not allowed in this workspace", [input.request.model]),
	"rule": "models.allow",
} if {
	not allowed_by_both(["models", "allow"], input.request.model)
}

deny contains {
	"code": "model_denied",
	"message": sprintf("model %s is denied by pattern %s", [input.request.model, pattern]),
	"rule": "models.deny",
} if {
	some pattern in deny_model_patterns
	glob.match(pattern, [], input.request.model)
}

deny contains {
	"code": "max_tokens_exceeded",
	"message": sprintf("max_tokens %d exceeds the limit of %d", [input.request.max_tokens, max_tokens_limit]),
	"rule": "limits.max_tokens",
} if {
	is_number(input.request.max_tokens)
	input.request.max_tokens > max_tokens_limit
}

deny contains {
	"code": "pii_blocked",
	"message": sprintf("the prompt contains %s, which this workspace blocks", [type]),
	"rule": sprintf("pii.input.%s", [type]),
} if {
	some type, n in object.get(input, ["pii", "input"], {})
	n > 0
	pii_actions[type] == "block"
}

deny contains {
	"code": "pii_limit_exceeded",
	"message": sprintf("the prompt contains %d findings of %s; at most %d are allowed", [n, type, limit]),
	"rule": sprintf("pii.max_findings.%s", [type]),
} if {
	some type, n in object.get(input, ["pii", "input"], {})
	limit := max_findings(type)
	n > limit
}

deny contains {
	"code": "metadata_required",
	"message": sprintf("requests to %s must carry the header %s", [input.request.model, req.header]),
	"rule": "metadata.required",
} if {
	some req in metadata_requirements
	some pattern in object.get(req, "models", ["*"])
	glob.match(pattern, [], input.request.model)
	not has_header(lower(req.header))
}

has_header(name) if {
	value := input.request.headers[name]
	trim_space(value) != ""
}

deny contains {
	"code": "no_allowed_endpoint",
	"message": sprintf("no endpoint allowed by policy can serve %s: %s", [input.request.model, concat("; ", explanations)]),
	"rule": "providers",
} if {
	count(input.candidates) > 0
	count(allowed_endpoints) == 0
	explanations := [sprintf("%s: %s", [id, concat(", ", reasons)]) | some id, reasons in excluded]
}
