"""Hand corrections on the held-back split, from reading every heading-labelled
section-one unit of that split in order (no model output consulted). Index = line of
that listing."""
FIX = {113: "drop", 186: "drop", 211: "drop", 251: "s1.oversight", 257: "s1.proactive", 258: "s1.proactive",
       278: "s1.proactive", 283: "s1.proactive", 345: "s1.proactive", 130: "s1.management", 134: "s1.management"}
