"""Hand corrections for section five/six units (index = position among §5/§6 units in
document order in the review dump). Units not listed keep their weak label, which was
read and found right."""
P, M, F, O, X = "s5.problems", "s5.measures", "s6.fees", "other", "drop"
FIX = {25: M, 30: P, 31: M, 36: X, 42: M, 46: P, 47: P, 48: P, 49: P, 54: P, 55: P, 56: P, 57: P, 58: P, 60: M,
       62: P, 63: P, 64: P, 66: P, 68: P, 69: P, 70: P, 71: P, 72: P, 73: O, 74: P, 80: X, 82: P, 83: X, 84: P,
       86: X, 87: X, 90: P, 94: M, 97: P, 99: P, 100: P, 101: P, 102: X, 103: X, 104: P, 110: M, 111: P, 112: P,
       142: X, 145: X, 146: P, 154: P, 160: M, 161: P, 163: P}
