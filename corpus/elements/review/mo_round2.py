"""Round-2 hand labels (training split only): every heading-labelled training unit of
s1.management and s1.oversight was read in document order (index = line of that
listing: training units with how == "heading" and label s1.management/s1.oversight, in
units.jsonl order, before this round). No held-back unit and no model output was looked at.

Label rule applied (written down so that later rounds stay consistent):
- s1.management (政府信息管理) = how information itself is handled: release review
  (发布审核, 保密审查, 三审三校, 先审后发, 签发), disclosure-attribute/catalogue/guide work
  (公开属性认定, 目录, 指南, 标准规范), updating, self-checks and clean-up of published
  information, 规范性文件 management (制发, 清理, 数据库), collection/reporting/archiving
  workflow, a named person maintaining releases.
- s1.oversight (监督保障) = the organisation around disclosure work: leadership
  (领导小组, 领导重视, 分管领导负责), staffing and responsibility division, training and study,
  assessment (考核, 绩效), inspections and supervision (督查, 检查督导), social supervision
  and appraisal (社会评议, 举报投诉), accountability (责任追究), review/lawsuit counts.
  Leadership/organisation text is oversight even under a “政府信息管理” heading; release
  review text is management even under a “监督保障” heading.
- Publishing content, 政策解读, 回应关切 → s1.proactive; channels (网站, 公众号 as carriers)
  → s1.platform; handling of applications → s1.on_request; generic slogans, publicity,
  “no negative opinion” statements → other; mixed units with no dominant aspect and cut-off
  fragments → drop.
"""
P, R, M, PL, O, OT, X = "s1.proactive", "s1.on_request", "s1.management", "s1.platform", "s1.oversight", "other", "drop"
FIX = {4: P, 6: P, 8: O, 9: O, 10: O, 11: X, 12: O, 17: P, 18: P, 19: OT, 29: P, 30: P, 35: P, 36: OT, 37: P, 38: P,
       39: OT, 69: OT, 70: M, 71: OT, 76: X, 78: X, 87: M, 90: O, 91: O, 92: O, 93: X, 97: X, 102: P, 103: O, 104: X,
       110: X, 113: P, 114: P, 115: OT, 116: P, 117: P, 118: OT, 119: OT, 120: OT, 121: P, 122: OT, 123: P, 124: OT,
       125: P, 126: M, 127: P, 128: M, 129: M, 130: M, 131: X, 133: P, 137: P, 142: X, 160: X, 165: X, 166: X,
       168: R, 169: R, 170: M, 171: R, 173: X, 176: OT, 178: P, 179: O, 180: O, 186: OT, 189: PL, 190: PL, 191: PL,
       192: PL, 193: PL, 194: P, 195: P, 202: OT, 210: X}
