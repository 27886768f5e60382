/** A realistic gateway decision policy and input for the Rego benchmark (and its sanity test). */

export const BENCH_POLICY = `package bench.gateway

import rego.v1

# ---------------------------------------------------------------- settings
settings := object.union(data.org_defaults, object.get(data.workspaces, input.principal.workspace, {}))

allowed_models := {m | some m in settings.allowed_models}
allowed_providers := {p | some p in settings.allowed_providers}
blocked_jurisdictions := {j | some j in settings.blocked_jurisdictions}
allowed_regions := {r | some r in settings.allowed_regions}
required_certs := {c | some c in settings.required_certifications}
admin_roles := {"admin", "owner", "security"}

is_admin if {
	some r in input.principal.roles
	r in admin_roles
}

# ---------------------------------------------------------------- request checks
deny contains {"code": "model_not_allowed", "message": sprintf("model %s is not allowed", [input.request.model])} if {
	not input.request.model in allowed_models
	not is_admin
}

deny contains {"code": "key_disabled", "message": "the API key is disabled"} if {
	input.principal.key.disabled == true
}

deny contains {"code": "too_many_tokens", "message": msg} if {
	input.request.token_estimate > settings.max_tokens_per_request
	msg := sprintf("request needs %d tokens, limit is %d", [input.request.token_estimate, settings.max_tokens_per_request])
}

deny contains {"code": "stream_not_allowed", "message": "streaming is disabled for this workspace"} if {
	input.request.stream
	settings.allow_streaming == false
}

deny contains {"code": "spend_cap", "message": sprintf("%s cap reached", [cap.name])} if {
	some cap in input.spend.caps
	cap.used + input.request.cost_estimate > cap.limit
}

deny contains {"code": "pii_blocked", "message": sprintf("prompt contains %s", [t])} if {
	some t, n in input.pii.counts
	n > 0
	pii_action[t] == "block"
}

deny contains {"code": "no_endpoint", "message": "no provider endpoint satisfies the workspace policy"} if {
	count(allowed_endpoints) == 0
}

deny contains {"code": "outside_hours", "message": "requests are only allowed during business hours"} if {
	settings.business_hours_only
	not within_business_hours
}

within_business_hours if {
	input.time.hour >= 8
	input.time.hour < 20
}

# ---------------------------------------------------------------- PII actions
default_pii_action := "redact"

pii_action[t] := action if {
	some t, _ in input.pii.counts
	action := object.get(settings.pii_actions, t, default_pii_action)
}

pii_actions := {t: a | some t, a in pii_action; a != "allow"}

# ---------------------------------------------------------------- endpoints
candidate_ok(c) if {
	c.provider in allowed_providers
	not c.jurisdiction in blocked_jurisdictions
	c.region in allowed_regions
	c.zdr == true
	c.trains_on_data == false
	every cert in required_certs {
		cert in c.certifications
	}
	c.status != "down"
}

excluded contains {"id": c.id, "reason": reason} if {
	some c in input.candidates
	not candidate_ok(c)
	reason := exclusion_reason(c)
}

exclusion_reason(c) := "provider_not_allowed" if not c.provider in allowed_providers
else := "jurisdiction_blocked" if c.jurisdiction in blocked_jurisdictions
else := "region_not_allowed" if not c.region in allowed_regions
else := "no_zdr" if c.zdr != true
else := "trains_on_data" if c.trains_on_data != false
else := "missing_certification" if {
	some cert in required_certs
	not cert in c.certifications
}
else := "unavailable"

allowed_endpoints := [c.id |
	some c in sorted_candidates
	candidate_ok(c)
]

candidates_by_id := {c.id: c | some c in input.candidates}

sorted_candidates := [candidates_by_id[p[1]] |
	some p in sort([[x.price_per_mtok, x.id] | some x in input.candidates])
]

routing_sort := "price" if settings.routing == "cheapest"
else := "latency"

# ---------------------------------------------------------------- obligations
store_prompt if settings.store_prompts
else := false

obligations := {
	"store_prompt": store_prompt,
	"max_tokens": settings.max_tokens_per_request,
	"log_level": log_level,
}

log_level := "full" if is_admin
else := "metadata"

# ---------------------------------------------------------------- decision
default allow := false

allow if count(deny) == 0

decision := {
	"allow": allow,
	"deny": deny,
	"pii_actions": pii_actions,
	"allowed_endpoints": allowed_endpoints,
	"excluded": count(excluded),
	"routing": {"sort": routing_sort},
	"obligations": obligations,
}
`;

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

const PROVIDERS = range(50).map((i) => `provider-${i}`);
const MODELS = range(50).map((i) => `model-${i}`);
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-south-1', 'cn-north-1'];
const JURIS = ['EU', 'US', 'IN', 'CN'];

export const BENCH_DATA = {
  org_defaults: {
    allowed_models: MODELS,
    allowed_providers: PROVIDERS.filter((_, i) => i % 5 !== 0).concat(range(10).map((i) => `extra-${i}`)),
    blocked_jurisdictions: ['CN'],
    allowed_regions: ['eu-west-1', 'eu-central-1', 'us-east-1'],
    required_certifications: ['soc2'],
    max_tokens_per_request: 32000,
    allow_streaming: true,
    business_hours_only: false,
    pii_actions: { EMAIL: 'redact', CREDIT_CARD: 'block', PHONE: 'mask', IBAN: 'tokenize' },
    store_prompts: false,
    routing: 'cheapest',
  },
  workspaces: {
    acme: { allowed_regions: ['eu-west-1', 'eu-central-1'], store_prompts: true },
  },
};

export const BENCH_INPUT = {
  principal: { workspace: 'acme', user: 'u-1', roles: ['developer'], key: { id: 'k-1', disabled: false } },
  request: { endpoint: 'chat', model: 'model-7', stream: true, token_estimate: 1200, cost_estimate: 0.004 },
  pii: { counts: { EMAIL: 2, PHONE: 1 } },
  spend: { caps: [{ name: 'workspace/day', used: 12.5, limit: 100 }, { name: 'key/month', used: 40, limit: 500 }] },
  time: { hour: 11 },
  candidates: range(100).map((i) => ({
    id: `ep-${i}`,
    provider: PROVIDERS[i % 50],
    model: 'model-7',
    region: REGIONS[i % REGIONS.length],
    jurisdiction: JURIS[i % JURIS.length],
    zdr: i % 7 !== 0,
    trains_on_data: i % 11 === 0,
    certifications: i % 3 === 0 ? ['iso27001'] : ['soc2', 'iso27001'],
    status: i % 13 === 0 ? 'down' : 'up',
    price_per_mtok: ((i * 37) % 100) / 10,
  })),
};
