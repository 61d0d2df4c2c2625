"""Round-2 hand labels (training split only): heading-labelled training units of
s1.proactive/on_request/platform whose text carries a management/oversight cue
(领导小组|培训|考核|保密审查|三审|审核|督查|责任追究|评议|分管领导|专人), read in units.jsonl order
(index = line of that listing). Rule as in mo_round2.py. Units not listed were read
and their heading label kept."""
M, O, OT = "s1.management", "s1.oversight", "other"
FIX = {12: M, 31: OT, 39: O, 40: O}
