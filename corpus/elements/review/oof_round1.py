"""Round-1 hand corrections after reading the training split's out-of-fold disagreements
(logreg, GroupKFold by document): heading-inherited labels whose text is about something
else. Index = line of the disagreement dump; value = the label read from the text."""
FIX = {2: "other", 4: "s1.on_request", 5: "s1.oversight", 7: "s1.oversight", 8: "s1.oversight", 6: "s1.platform",
       9: "s1.platform", 10: "s1.proactive", 12: "s1.oversight", 16: "s1.management", 17: "s1.proactive",
       19: "s1.oversight", 26: "drop", 27: "s1.proactive", 28: "other", 29: "s1.oversight", 34: "drop", 36: "drop",
       38: "s1.management", 49: "drop", 50: "drop", 52: "other", 53: "s1.management", 61: "drop", 63: "other",
       64: "other", 68: "s1.on_request", 70: "s1.management", 73: "s1.proactive", 74: "other", 75: "s1.proactive",
       76: "other", 77: "other", 78: "other", 79: "s1.proactive", 80: "s1.management", 84: "other", 85: "other",
       86: "other", 102: "other", 103: "other", 104: "s1.oversight", 112: "s1.oversight", 113: "other", 114: "drop",
       120: "other"}
