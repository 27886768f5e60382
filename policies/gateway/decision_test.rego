package gateway_test

import rego.v1

import data.gateway

eu := {"id": "mock-eu", "jurisdiction": "DE", "data_regions": ["eu"], "zero_data_retention": true, "trains_on_data": false, "priority": 20, "certifications": ["ISO 27001"], "price": {"input": 10, "output": 30}}

us := {"id": "mock-us", "jurisdiction": "US", "data_regions": ["us"], "zero_data_retention": false, "trains_on_data": false, "priority": 10, "certifications": [], "price": {"input": 10, "output": 30}}

cn := {"id": "mock-cn", "jurisdiction": "CN", "data_regions": ["cn"], "zero_data_retention": false, "trains_on_data": true, "priority": 30, "certifications": null, "price": {"input": 1, "output": 3}}

unknown := {"id": "mystery", "jurisdiction": null, "data_regions": null, "zero_data_retention": null, "trains_on_data": null, "priority": 40, "price": null}

req(model) := {"request": {"model": model, "max_tokens": null, "headers": {}}, "pii": {"input": {}}, "candidates": [eu, us, cn]}

with_candidates(r, cands) := object.union(r, {"candidates": cands})

test_no_rules_allows_every_endpoint_in_priority_order if {
	d := gateway.decision with input as req("demo-chat") with data.gatehouse as {}
	d.allow
	d.allowed_endpoints == ["mock-us", "mock-eu", "mock-cn"]
	d.deny == set()
	d.obligations == {"store_prompt": false}
}

test_zdr_and_eu_route_only_to_eu if {
	ws := {"providers": {"require_zdr": true, "allowed_regions": ["EU"]}}
	d := gateway.decision with input as req("demo-chat") with data.gatehouse as {"workspace": ws}
	d.allow
	d.allowed_endpoints == ["mock-eu"]
	d.excluded["mock-us"] == ["data region us not allowed", "zero data retention required"]
}

test_training_denied if {
	d := gateway.decision with input as req("demo-chat") with data.gatehouse as {"workspace": {"providers": {"deny_training": true}}}
	d.allowed_endpoints == ["mock-us", "mock-eu"]
	d.excluded["mock-cn"] == ["trains on prompts"]
}

test_unknown_attributes_are_not_compliant if {
	ws := {"providers": {"require_zdr": true, "deny_training": true, "blocked_jurisdictions": ["CN"], "allowed_regions": ["eu"]}}
	d := gateway.decision with input as with_candidates(req("demo-chat"), [unknown]) with data.gatehouse as {"workspace": ws}
	not d.allow
	d.excluded.mystery == ["data regions unknown", "jurisdiction unknown", "may train on prompts (unknown)", "zero data retention required"]
}

test_blocked_jurisdiction_leaving_nothing_explains_each_endpoint if {
	ws := {"providers": {"blocked_jurisdictions": ["cn", "US"], "require_zdr": true}}
	d := gateway.decision with input as with_candidates(req("demo-chat"), [us, cn]) with data.gatehouse as {"workspace": ws}
	not d.allow
	some denial in d.deny
	denial.code == "no_allowed_endpoint"
	contains(denial.message, "mock-cn: jurisdiction CN blocked, zero data retention required")
	contains(denial.message, "mock-us: jurisdiction US blocked, zero data retention required")
}

test_endpoint_allow_and_deny_globs if {
	ws := {"providers": {"allow_endpoints": ["mock-*"], "deny_endpoints": ["*-cn"]}}
	d := gateway.decision with input as req("demo-chat") with data.gatehouse as {"workspace": ws}
	d.allowed_endpoints == ["mock-us", "mock-eu"]
	d.excluded["mock-cn"] == ["endpoint denied"]
}

test_model_allow_and_deny if {
	ws := {"models": {"allow": ["demo-*", "gpt-4.1*"], "deny": ["demo-echo"]}}
	gateway.decision.allow with input as req("gpt-4.1-mini") with data.gatehouse as {"workspace": ws}
	d1 := gateway.decision with input as req("demo-echo") with data.gatehouse as {"workspace": ws}
	{x.code | some x in d1.deny} == {"model_denied"}
	d2 := gateway.decision with input as req("claude-opus") with data.gatehouse as {"workspace": ws}
	{x.code | some x in d2.deny} == {"model_not_allowed"}
}

test_max_tokens_ceiling_denies_and_fills_in if {
	ws := {"limits": {"max_tokens": 1000}}
	r := object.union(req("demo-chat"), {"request": {"model": "demo-chat", "max_tokens": 5000, "headers": {}}})
	d := gateway.decision with input as r with data.gatehouse as {"workspace": ws}
	{x.code | some x in d.deny} == {"max_tokens_exceeded"}
	ok := gateway.decision with input as req("demo-chat") with data.gatehouse as {"workspace": ws}
	ok.allow
	ok.obligations.max_tokens == 1000
}

test_pii_actions_with_default if {
	ws := {"pii": {"input": {"*": "redact", "EMAIL_ADDRESS": "tokenize"}, "output": {"CREDIT_CARD": "mask"}}}
	r := object.union(req("demo-chat"), {"pii": {"input": {"PHONE_NUMBER": 1}}})
	d := gateway.decision with input as r with data.gatehouse as {"workspace": ws}
	d.pii_actions == {"*": "redact", "EMAIL_ADDRESS": "tokenize", "PHONE_NUMBER": "redact"}
	d.output_pii_actions == {"CREDIT_CARD": "mask"}
}

test_pii_block if {
	ws := {"pii": {"input": {"PRIVATE_KEY": "block"}}}
	r := object.union(req("demo-chat"), {"pii": {"input": {"PRIVATE_KEY": 1}}})
	d := gateway.decision with input as r with data.gatehouse as {"workspace": ws}
	not d.allow
	some x in d.deny
	x.code == "pii_blocked"
	x.rule == "pii.input.PRIVATE_KEY"
}

test_pii_count_limit if {
	ws := {"pii": {"max_findings": {"EMAIL_ADDRESS": 2}}}
	few := object.union(req("demo-chat"), {"pii": {"input": {"EMAIL_ADDRESS": 2}}})
	gateway.decision.allow with input as few with data.gatehouse as {"workspace": ws}
	many := object.union(req("demo-chat"), {"pii": {"input": {"EMAIL_ADDRESS": 3}}})
	d := gateway.decision with input as many with data.gatehouse as {"workspace": ws}
	{x.code | some x in d.deny} == {"pii_limit_exceeded"}
}

test_required_metadata_for_chosen_models if {
	ws := {"metadata": {"required": [{"header": "x-gatehouse-purpose", "models": ["demo-chat"]}]}}
	d := gateway.decision with input as req("demo-chat") with data.gatehouse as {"workspace": ws}
	{x.code | some x in d.deny} == {"metadata_required"}
	gateway.decision.allow with input as req("demo-echo") with data.gatehouse as {"workspace": ws}
	r := object.union(req("demo-chat"), {"request": {"model": "demo-chat", "headers": {"x-gatehouse-purpose": "support"}}})
	gateway.decision.allow with input as r with data.gatehouse as {"workspace": ws}
}

test_price_routing if {
	d := gateway.decision with input as req("demo-chat") with data.gatehouse as {"workspace": {"routing": {"sort": "price"}}}
	d.allowed_endpoints == ["mock-cn", "mock-us", "mock-eu"]
}

# Organisation defaults: a workspace can tighten them but never loosen them.
test_workspace_cannot_loosen_org_defaults if {
	org := {
		"providers": {"require_zdr": true, "blocked_jurisdictions": ["CN"], "allowed_regions": ["eu", "us"]},
		"pii": {"input": {"EMAIL_ADDRESS": "redact", "*": "mask"}},
		"limits": {"max_tokens": 2000},
		"models": {"deny": ["demo-echo"]},
		"obligations": {"store_prompt": false},
	}
	ws := {
		"providers": {"require_zdr": false, "blocked_jurisdictions": [], "allowed_regions": ["eu", "us", "cn"]},
		"pii": {"input": {"EMAIL_ADDRESS": "allow", "*": "allow"}},
		"limits": {"max_tokens": 100000},
		"models": {"deny": []},
		"obligations": {"store_prompt": true},
	}
	r := object.union(req("demo-chat"), {"pii": {"input": {"PHONE_NUMBER": 1, "EMAIL_ADDRESS": 1}}})
	d := gateway.decision with input as r with data.gatehouse as {"org": org, "workspace": ws}
	d.allowed_endpoints == ["mock-eu"]
	d.pii_actions.EMAIL_ADDRESS == "redact"
	d.pii_actions.PHONE_NUMBER == "mask"
	d.obligations == {"store_prompt": false, "max_tokens": 2000}
	echo := gateway.decision with input as req("demo-echo") with data.gatehouse as {"org": org, "workspace": ws}
	not echo.allow
}

test_workspace_can_tighten_org_defaults if {
	org := {"pii": {"input": {"EMAIL_ADDRESS": "mask"}}, "limits": {"max_tokens": 2000}, "providers": {"allowed_regions": ["eu", "us"]}}
	ws := {"pii": {"input": {"EMAIL_ADDRESS": "block"}}, "limits": {"max_tokens": 500}, "providers": {"allowed_regions": ["eu"]}}
	r := object.union(req("demo-chat"), {"pii": {"input": {"EMAIL_ADDRESS": 1}}})
	d := gateway.decision with input as r with data.gatehouse as {"org": org, "workspace": ws}
	d.pii_actions.EMAIL_ADDRESS == "block"
	d.obligations.max_tokens == 500
	d.allowed_endpoints == ["mock-eu"]
	not d.allow
}

test_org_allowlist_binds_the_workspace if {
	org := {"providers": {"allow_endpoints": ["mock-eu"]}}
	ws := {"providers": {"allow_endpoints": ["*"]}}
	d := gateway.decision with input as req("demo-chat") with data.gatehouse as {"org": org, "workspace": ws}
	d.allowed_endpoints == ["mock-eu"]
}
