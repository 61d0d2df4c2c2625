"""BOILERPLATE.FOREIGN_NAME: other places' names left in copied text."""
from __future__ import annotations

from ...doc import Doc
from ..registry import Report, clean, flag, rule

_HULAN = "哈尔滨市呼兰区教育局2024年政府信息公开工作年度报告"


@rule("BOILERPLATE.FOREIGN_NAME", category="boilerplate", severity="warning", needs=("boilerplate",),
      message="正文出现其他地区名称“{quote}”（本机关为{own}）：{reason}，疑为照搬其他机关报告后未改名。",
      examples=[flag(Report(title=_HULAN, bodies={1: "全年通过宜宾市教育局门户网站发布信息56条，其中政策解读4篇。"}),
                     quote="宜宾市"),
                flag("同时在道里区教育局网站同步发布招生入学信息12条。", quote="道里区"),
                clean(Report(title=_HULAN, bodies={1: "按照哈尔滨市、黑龙江省的部署，全年在呼兰区政府门户网站发布信息56条。"})),
                clean("按照《宜宾市政务公开工作指引》的做法，与对口帮扶的宜宾市交流经验。")])
def foreign_name(doc: Doc, rule):
    """正文出现地级或县级地名，既不是本机关所在地（据标题），也不是其上级或下辖地区；《》内和对口协作语境除外。"""
    for f in doc.boilerplate.foreign:
        yield rule.finding(doc, f.start, f.end, own="、".join(f.own), reason=f.reason, confidence=f.confidence,
                           evidence={"name": f.name, "own_places": f.own, "level": f.level, "reason": f.reason})
