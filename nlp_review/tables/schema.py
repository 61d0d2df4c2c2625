"""The three statutory tables of the 2021 format (国办公开办函〔2021〕30号): row keys,
how each row's label reads, how many values it holds. Keys are the contract's."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class RowSpec:
    key: str  # contract key prefix (table3: ROW; table2: full key or prefix)
    label: re.Pattern  # matched against the row's label text with whitespace removed
    columns: tuple[str, ...]  # value keys in order ("" means the key itself)
    name: str  # Chinese name for messages


def _r(p: str) -> re.Pattern:
    return re.compile(p)


TABLE2_ROWS = (
    RowSpec("regulations", _r(r"规章"), ("issued", "repealed", "in_force"), "规章"),
    RowSpec("normative_documents", _r(r"规范性文件"), ("issued", "repealed", "in_force"), "行政规范性文件"),
    RowSpec("licensing", _r(r"行政许可"), ("decisions",), "行政许可"),
    RowSpec("punishment", _r(r"行政处罚"), ("decisions",), "行政处罚"),
    RowSpec("coercion", _r(r"行政强制"), ("decisions",), "行政强制"),
    RowSpec("fees", _r(r"(行政)?事业性收费"), ("amount_wan",), "行政事业性收费"),
)
TABLE2_COUNT_KEYS = tuple(f"{r.key}.{c}" for r in TABLE2_ROWS for c in r.columns if c != "amount_wan")

TABLE3_COLUMNS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
TABLE3_COLUMN_NAMES = {
    "natural_person": "自然人", "commercial": "商业企业", "research": "科研机构", "social_org": "社会公益组织",
    "legal_service": "法律服务机构", "other_org": "其他", "total": "总计",
}
TABLE3_APPLICANT_COLUMNS = TABLE3_COLUMNS[:-1]

# Row wording: a fragment that every rendering keeps, also when the label cell wraps
# and a PDF conversion breaks it across lines (“2.其他法律行政法规禁止” / “公开”).
_T3 = [
    ("new", r"本年新收", "一、本年新收政府信息公开申请数量"),
    ("carried_over", r"上年结转", "二、上年结转政府信息公开申请数量"),
    ("granted", r"予以公开", "（一）予以公开"),
    ("partial", r"部分公开", "（二）部分公开"),
    ("denied.state_secret", r"国家秘密", "（三）不予公开 1.属于国家秘密"),
    ("denied.law_prohibited", r"禁止公开|其他法律行政法规", "（三）不予公开 2.其他法律行政法规禁止公开"),
    ("denied.security_stability", r"三安全一稳定|危及", "（三）不予公开 3.危及“三安全一稳定”"),
    ("denied.third_party", r"第三方", "（三）不予公开 4.保护第三方合法权益"),
    ("denied.internal_affairs", r"内部事务", "（三）不予公开 5.属于三类内部事务信息"),
    ("denied.process_info", r"过程性信息|四类过程", "（三）不予公开 6.属于四类过程性信息"),
    ("denied.enforcement_file", r"执法案卷", "（三）不予公开 7.属于行政执法案卷"),
    ("denied.query_matter", r"查询事项", "（三）不予公开 8.属于行政查询事项"),
    ("unable.not_held", r"不掌握", "（四）无法提供 1.本机关不掌握相关政府信息"),
    ("unable.need_creation", r"另行制作|没有现成", "（四）无法提供 2.没有现成信息需要另行制作"),
    ("unable.unclear", r"仍不明确|补正后申请", "（四）无法提供 3.补正后申请内容仍不明确"),
    ("not_processed.petition", r"信访|举报投诉", "（五）不予处理 1.信访举报投诉类申请"),
    ("not_processed.duplicate", r"重复申请$|^[\d.．、]*重复申请", "（五）不予处理 2.重复申请"),
    ("not_processed.publication", r"公开出版物", "（五）不予处理 3.要求提供公开出版物"),
    ("not_processed.mass_repeated", r"大量反复", "（五）不予处理 4.无正当理由大量反复申请"),
    ("not_processed.confirm_info", r"确认或重新出具|重新出具", "（五）不予处理 5.要求行政机关确认或重新出具已获取信息"),
    ("other.no_correction", r"逾期不补正|申请人无正当理由", "（六）其他处理 1.申请人无正当理由逾期不补正"),
    ("other.no_fee", r"缴纳费用|收费通知|逾期未按", "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用"),
    ("other.other", r"其他$", "（六）其他处理 3.其他"),
    ("total", r"总计$", "（七）总计"),
    ("carry_forward", r"结转下年度|下年度继续", "四、结转下年度继续办理"),
]
TABLE3_ROWS = tuple(RowSpec(k, _r(p), TABLE3_COLUMNS, n) for k, p, n in _T3)
TABLE3_OUTCOME_ROWS = tuple(r.key for r in TABLE3_ROWS[2:23])  # the 21 leaves
TABLE3_ROW_NAMES = {r.key: r.name for r in TABLE3_ROWS}

TABLE4_BLOCKS = ("review", "litigation_direct", "litigation_after_review")
TABLE4_BLOCK_NAMES = {"review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
                      "litigation_after_review": "行政诉讼（复议后起诉）"}
TABLE4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
TABLE4_COLUMN_NAMES = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果",
                       "pending": "尚未审结", "total": "总计"}
TABLE4_KEYS = tuple(f"{b}.{c}" for b in TABLE4_BLOCKS for c in TABLE4_COLUMNS)

# Labels of the 2019 trial format (国办公开办函〔2019〕60号); any of them in a 2021+
# report means an outdated template.
OBSOLETE_TABLE2 = re.compile(r"本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量|本年增[/／]?减|政府集中采购|其他对外管理服务事项")
OBSOLETE_TABLE3_OTHER = re.compile(r"（六）其他处理$|\(六\)其他处理$")


def cell_name(table: str, key: str) -> str:
    """Chinese name of a cell for messages, e.g. 表三“（七）总计”行“自然人”列."""
    if table == "table3":
        row, col = key.rsplit(".", 1)
        return f"表三“{TABLE3_ROW_NAMES.get(row, row)}”行“{TABLE3_COLUMN_NAMES.get(col, col)}”列"
    if table == "table4":
        block, col = key.split(".", 1)
        return f"表四“{TABLE4_BLOCK_NAMES.get(block, block)}—{TABLE4_COLUMN_NAMES.get(col, col)}”"
    names = {r.key: r.name for r in TABLE2_ROWS}
    row, col = key.split(".", 1)
    col_names = {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数",
                 "decisions": "本年处理决定数量", "amount_wan": "本年收费金额（万元）"}
    return f"表二“{names.get(row, row)}—{col_names.get(col, col)}”"


# ---------------------------------------------------------------------------------------
# Templates for `align.read_table`: the rows in the order the form has them, the columns
# of each, which cells are output under which contract key, and each row's own identity.

def _templates():
    from .align import RowTemplate, all_identities, sum_identity

    t3_sum = sum_identity(range(6), 6)
    table3 = [RowTemplate(r.key, r.label, r.columns, r.name, tuple((i, f"{r.key}.{c}") for i, c in enumerate(r.columns)),
                          t3_sum) for r in TABLE3_ROWS]
    # 2019 trial format: one “（六）其他处理” row instead of three; read (so its numbers do not
    # spill into neighbours) and recognised, but it has no 2021 key.
    table3.insert(20, RowTemplate("other_2019", OBSOLETE_TABLE3_OTHER, TABLE3_COLUMNS, "（六）其他处理", (), t3_sum,
                                  obsolete=True))
    table2_2021 = [RowTemplate(r.key, r.label, r.columns, r.name,
                               tuple((i, f"{r.key}.{c}") for i, c in enumerate(r.columns)), None, variant="2021")
                   for r in TABLE2_ROWS]
    # 2019 trial format (国办公开办函〔2019〕60号) table two, read as the alternative of each
    # row (agencies mixed the two: corpus reports_more/0016). Only cells that mean what a
    # 2021 key means are output: 本年新制作数量 = 本年制发件数, 处理决定数量 = 本年处理决定数量.
    three = ("first", "second", "third")
    v19 = {"variant": "2019"}
    table2_2019 = {
        "regulations": [RowTemplate("regulations", _r(r"规章"), three, "规章", ((0, "regulations.issued"),), **v19)],
        "normative_documents": [RowTemplate("normative_documents", _r(r"规范性文件"), three, "规范性文件",
                                            ((0, "normative_documents.issued"),), **v19)],
        "licensing": [RowTemplate("licensing", _r(r"行政许可"), three, "行政许可", ((2, "licensing.decisions"),), **v19),
                      RowTemplate("other_services", _r(r"其他对外管理服务事项"), three, "其他对外管理服务事项", (),
                                  obsolete=True, **v19)],
        "punishment": [RowTemplate("punishment", _r(r"行政处罚"), three, "行政处罚", ((2, "punishment.decisions"),),
                                   **v19)],
        "coercion": [RowTemplate("coercion", _r(r"行政强制"), three, "行政强制", ((2, "coercion.decisions"),), **v19)],
        "fees": [RowTemplate("fees", _r(r"(行政)?事业性收费"), ("first", "second"), "行政事业性收费", (), **v19),
                 RowTemplate("procurement", _r(r"政府集中采购"), ("first", "second"), "政府集中采购", (),
                             obsolete=True, **v19)],
    }
    table2 = [t for row in table2_2021 for t in (row, *table2_2019[row.key])]
    blocks = all_identities(*(sum_identity(range(5 * b, 5 * b + 4), 5 * b + 4) for b in range(3)))
    table4 = RowTemplate("table4", _r(r""), TABLE4_KEYS, "表四数据行", tuple(enumerate(TABLE4_KEYS)), blocks)
    return tuple(table2), tuple(table3), table4


TABLE2_TEMPLATE, TABLE3_TEMPLATE, TABLE4_TEMPLATE = _templates()
# Header words of table four: a label made only of these heads the 15 values.
TABLE4_HEADER = re.compile(r"^(?:行政复议|行政诉讼|结果|维持|纠正|其他|尚未|审结|总计|未经复议|直接起诉|复议后起诉|[（()）]|\s)+$")
