# Custom deny rules of the organisation (package gateway.custom.org) and of the workspace
# (package gateway.custom.<workspace slug, "-" → "_">) join the decision. The gateway lists the
# packages in force in data.gatehouse.custom_packages; a test that replaces data.gatehouse
# (as the built-in tests do) therefore sees the built-in rules alone.
#
# A custom `deny` may hold strings or {"code", "message"} objects.
package gateway

import rego.v1

deny contains reason if {
	some name in object.get(data.gatehouse, "custom_packages", [])
	some raw in data.gateway.custom[name].deny
	reason := custom_reason(name, raw)
}

# Anything else (a number, a list…) still denies: a malformed reason must never be read as "allow".
custom_reason(name, raw) := {
	"code": "custom_policy",
	"message": raw,
	"rule": sprintf("custom.%s", [name]),
} if {
	is_string(raw)
} else := {
	"code": custom_code(raw),
	"message": object.get(raw, "message", "denied by a custom policy rule"),
	"rule": sprintf("custom.%s", [name]),
} if {
	is_object(raw)
} else := {
	"code": "custom_policy",
	"message": sprintf("denied by a custom policy rule: %v", [raw]),
	"rule": sprintf("custom.%s", [name]),
}

custom_code(raw) := code if {
	code := raw.code
	is_string(code)
	code != ""
} else := "custom_policy"
