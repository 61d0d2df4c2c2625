"""Texts the boilerplate rules' examples share: last year's report and specific wording."""
from __future__ import annotations

from ..registry import Report

LAST_YEAR_TITLE = "示例区教育局2023年政府信息公开工作年度报告"
PREV_S1 = ("2023年，本局持续推进政务公开标准化建设，梳理公开事项清单36项。\n"
           "全年通过区政府门户网站发布信息98条，其中政策解读3篇。\n"
           "编制《示例区教育局政府信息公开指南（2023年版）》，并在门户网站公布。")
PREV_S5 = ("（一）存在的主要问题：一是部分栏目更新不够及时；二是政策解读形式较为单一。\n"
           "（二）改进措施：一是建立栏目更新台账；二是增加图解解读。")
COPIED_PARA = ("本局坚持把政务公开作为转变作风、服务群众的重要抓手，年初召开专题会议研究部署，"
               "明确分管领导和具体承办人员。各科室按照职责分工及时提供公开信息，办公室统一审核后发布。")
SPECIFIC_S1 = ("全年通过“示例教育发布”微信公众号发布信息326条，其中政策解读18篇。\n"
               "全年收到政府信息公开申请2件，均在15个工作日内答复。\n"
               "2024年5月在门户网站开设“双减进行时”专栏，发布课后服务信息47条。")
SPECIFIC_S5 = ("（一）存在的主要问题：2024年3月门户网站“招生入学”栏目有2条信息逾期发布。\n"
               "（二）改进措施：自2024年6月起实行每周五栏目巡检，已巡检26次。")
OTHER_S5 = ("（一）存在的主要问题：一是校园安全信息发布不够集中；二是部分学校公开栏内容陈旧。\n"
            "（二）改进措施：一是开设校园安全专栏；二是每季度检查学校公开栏。")


def last_year(s1: str = PREV_S1, s5: str | None = PREV_S5) -> Report:
    """Last year's report of the example agency (s5=None: the minimal report's section five)."""
    return Report(title=LAST_YEAR_TITLE, bodies={1: s1, **({5: s5} if s5 is not None else {})})
