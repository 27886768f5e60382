# Effective settings: the organisation's defaults, tightened (never loosened) by the workspace.
#
# data.gatehouse.org       organisation policy data (JSON Schema: policies/schema/policy-data.schema.json)
# data.gatehouse.workspace the workspace's published policy data (same schema)
package gateway

import rego.v1

default org := {}

org := data.gatehouse.org

default ws := {}

ws := data.gatehouse.workspace

# A boolean requirement holds when either level sets it.
required(path) if object.get(org, path, false) == true

required(path) if object.get(ws, path, false) == true

require_zdr if required(["providers", "require_zdr"])

deny_training if required(["providers", "deny_training"])

# Lists that only add restrictions are unions of both levels.
union_list(path) := {x | some x in object.get(org, path, [])} | {x | some x in object.get(ws, path, [])}

blocked_jurisdictions := {upper(j) | some j in union_list(["providers", "blocked_jurisdictions"])}

required_certifications := union_list(["providers", "required_certifications"])

deny_endpoint_patterns := union_list(["providers", "deny_endpoints"])

deny_model_patterns := union_list(["models", "deny"])

# Allowlists apply per level: a value must pass the organisation's list and the workspace's.
# A level without the list does not restrict.
allowed_by_both(path, value) if {
	allowed_at_level(org, path, value)
	allowed_at_level(ws, path, value)
}

allowed_at_level(level, path, _) if not has_list(level, path)

allowed_at_level(level, path, value) if {
	some pattern in object.get(level, path, [])
	glob.match(pattern, [], value)
}

has_list(level, path) if {
	list := object.get(level, path, null)
	is_array(list)
}

# Regions: an endpoint passes when every region it may store data in is allowed at each level.
region_restricted if has_list(org, ["providers", "allowed_regions"])

region_restricted if has_list(ws, ["providers", "allowed_regions"])

regions_allowed(regions) if {
	every level in [org, ws] {
		regions_allowed_at(level, regions)
	}
}

regions_allowed_at(level, _) if not has_list(level, ["providers", "allowed_regions"])

regions_allowed_at(level, regions) if {
	allowed := {lower(r) | some r in level.providers.allowed_regions}
	every r in regions {
		lower(r) in allowed
	}
}

# Numeric ceilings: the smaller of both levels.
ceiling(path) := min({n | some level in [org, ws]; n := object.get(level, path, null); is_number(n)})

max_tokens_limit := ceiling(["limits", "max_tokens"])

# Required request metadata (e.g. header x-gatehouse-purpose) for chosen models.
metadata_requirements := {r | some level in [org, ws]; some r in object.get(level, ["metadata", "required"], [])}

routing_sort := object.get(ws, ["routing", "sort"], object.get(org, ["routing", "sort"], "priority"))

# Prompts are stored only when the workspace asks and the organisation does not forbid it.
store_prompt if {
	object.get(ws, ["obligations", "store_prompt"], false) == true
	object.get(org, ["obligations", "store_prompt"], true) != false
}
