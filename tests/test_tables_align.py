"""Tables read by template alignment (`nlp_review/tables/align.py`): every layout the
corpus shows for the seed tables, and the row identities deciding glued, split, missing
and stray numbers — a cell is placed only when the text decides it."""
from __future__ import annotations

import pytest

from nlp_review.pipeline import review_text
from nlp_review.tables.align import Group, Token, read_row, read_table, tokens_from_text
from nlp_review.tables.schema import TABLE2_TEMPLATE, TABLE3_TEMPLATE, TABLE4_TEMPLATE
from tests.realdocs import WEB_VARIANTS, seed_to_web_text
from tests.renderers import SEEDS, read_structure
from tests.seed_expectations import expected

SEED_IDS = [p.name[:3] for p in SEEDS]
NEW = next(t for t in TABLE3_TEMPLATE if t.key == "new")


def _row(template, text):
    tokens = tokens_from_text(text, 0, len(text))
    label = [t for t in tokens if t.kind == "label"]
    group = Group("".join(t.text for t in label), 0, label[-1].end if label else 0,
                  [t for t in tokens if t.kind != "label"])
    reading = read_row(template, group)
    return [None if c is None else (c.text if c.kind == "number" else c.kind) for c in reading.cells], reading


@pytest.mark.parametrize("variant", WEB_VARIANTS)
@pytest.mark.parametrize("sid", SEED_IDS)
def test_every_web_layout_of_the_seed_tables_reads_every_cell(tmp_path, sid, variant):
    path = tmp_path / f"{sid}_{variant}.txt"
    seed_to_web_text(SEEDS[SEED_IDS.index(sid)], path, variant)
    doc = read_structure(path)
    exp = expected(sid)["tables"]
    for name in ("table2", "table3", "table4"):
        assert doc.tables[name].values() == exp[name], (variant, name)
        for cell in doc.tables[name].cells.values():
            assert doc.text[cell.start:cell.end] == cell.raw
    assert doc.table_issues == []


def test_glued_row_is_split_by_its_own_sum():
    text = "一、本年新收政府信息公开申请数量 | 190000019 |"
    cells, reading = _row(NEW, text)
    assert cells == ["19", "0", "0", "0", "0", "0", "19"] and reading.how == "resolved"
    # every cell quotes its own digits inside the glued run
    at = text.index("190000019")
    assert [(c.start - at, c.end - at) for c in reading.cells] == [(0, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7),
                                                                   (7, 9)]


def test_glued_row_without_a_balancing_reading_stays_absent():
    # 7 digits read one way only, and that way balances: decided
    assert _row(NEW, "一、本年新收 1100002")[0] == ["1", "1", "0", "0", "0", "0", "2"]
    # 1,0,0,0,0,10,11 and 10,0,0,0,1,0,11 both balance: only the cell both read from the
    # same digits (the total, “11”) is placed; a “0” read from different digits is not
    cells, reading = _row(NEW, "一、本年新收 100001011")
    assert cells == [None] * 6 + ["11"] and reading.how == "ambiguous"
    # the only split (1,0,0,1,0,1,0) does not balance: nothing is placed
    cells, reading = _row(NEW, "一、本年新收 1001010")
    assert cells == [None] * 7 and reading.how == "ambiguous"


def test_a_missing_cell_is_placed_only_where_the_sum_decides():
    # six numbers for seven cells; 5 already exceeds the last number, so only “total
    # missing” survives: the six applicant cells are decided, the total stays absent
    cells, reading = _row(NEW, "一、本年新收政府信息公开申请数量 5 0 0 0 0 2")
    assert cells == ["5", "0", "0", "0", "0", "2", None]
    assert reading.absent == ["total"]
    # 1 0 0 0 0 1: the missing cell could be any of them: nothing is placed
    cells, reading = _row(NEW, "一、本年新收政府信息公开申请数量 1 0 0 0 0 1")
    assert cells == [None] * 7


def test_split_number_is_joined_when_the_sum_says_so():
    cells, _ = _row(NEW, "一、本年新收政府信息公开申请数量 1 517 0 0 0 0 0 1517")
    assert cells == ["1517", "0", "0", "0", "0", "0", "1517"]


def test_stray_number_is_dropped_when_only_one_reading_balances():
    cells, _ = _row(NEW, "一、本年新收政府信息公开申请数量 9 3 1 0 0 0 0 4")
    assert cells == ["3", "1", "0", "0", "0", "0", "4"]


def test_counts_that_fit_are_read_directly_even_when_they_do_not_balance():
    # an identity that fails is a finding for the checks, not a reason to re-read
    cells, reading = _row(NEW, "一、本年新收政府信息公开申请数量 1 1 0 0 0 0 5")
    assert cells == ["1", "1", "0", "0", "0", "0", "5"] and reading.how == "direct"


def test_table4_glued_and_by_block_sums():
    cells, _ = _row(TABLE4_TEMPLATE, "000000000000000")
    assert cells == ["0"] * 15
    cells, _ = _row(TABLE4_TEMPLATE, "1 0 0 0 1 0 0 0 0 0 2 0 0 0 2")
    assert cells[:5] == ["1", "0", "0", "0", "1"] and cells[10:] == ["2", "0", "0", "0", "2"]
    # 14 numbers: a block's missing cell is decided only where its sum refutes the others
    cells, reading = _row(TABLE4_TEMPLATE, "3 0 0 0 1  0 0 0 0 0  0 0 0 0")
    assert None in cells and not reading.complete


def test_placeholders_and_blank_cells():
    reg = next(t for t in TABLE2_TEMPLATE if t.key == "regulations")
    cells, reading = _row(reg, "规章 | / | / | 5 |")
    assert cells == ["placeholder", "placeholder", "5"] and reading.complete
    cells, reading = _row(reg, "规章 | 0 | 0 | |")
    assert cells == ["0", "0", None] and reading.absent == ["in_force"]
    cells, reading = _row(reg, "规章 | 0 | ||")  # padding after one value: two cells short
    assert reading.absent


def test_label_lost_row_is_taken_from_its_place_between_neighbours():
    """A layout where the “规章” cell came out empty (corpus 0617): the three numbers
    between the header and the next row stand for the row whose label is missing."""
    text = ("第二十条第(一)项\n\n信息内容\n\n本年制发件数\n\n本年废止件数\n\n现行有效件数\n\n  \n\n1\n\n2\n\n3\n\n"
            "行政规范性文件\n\n0\n\n0\n\n4\n\n第二十条第(五)项\n\n信息内容\n\n本年处理决定数量\n\n行政许可\n\n124\n")
    reading = read_table(TABLE2_TEMPLATE, tokens_from_text(text, 0, len(text)))
    cells = {k: t.text for k, t in reading.cells().items()}
    assert cells == {"regulations.issued": "1", "regulations.repealed": "2", "regulations.in_force": "3",
                     "normative_documents.issued": "0", "normative_documents.repealed": "0",
                     "normative_documents.in_force": "4", "licensing.decisions": "124"}


def test_narrative_with_row_wording_does_not_steal_the_row():
    text = ("2023年本年新收政府信息公开申请 3 件。\n"
            "一、本年新收政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |\n"
            "二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n")
    reading = read_table(TABLE3_TEMPLATE, tokens_from_text(text, 0, len(text)))
    cells = reading.cells()
    assert cells["new.natural_person"].start == text.index("| 3 |") + 2
    assert not reading.incomplete


def test_unreadable_table_is_one_finding_not_one_per_row():
    from tests.minimal_report import minimal_report, render_table3, default_table3

    t3 = render_table3(default_table3())
    # drop the first value of every row: 25 rows a cell short, nothing marks where
    rows = [ln.split("\t") for ln in t3.split("\n")]
    broken = "\n".join("\t".join(r[:1] + r[2:]) if len(r) == 8 else "\t".join(r) for r in rows)
    doc = review_text(minimal_report().replace(t3, broken))
    f = [f for f in doc.findings if f.rule == "FORMAT.TABLE_ROW_UNREADABLE"]
    assert len(f) == 1 and f[0].evidence["table"] == "table3"
    assert len(f[0].evidence["rows"]) >= 20
    assert doc.text[f[0].start:f[0].end] == f[0].quote


def test_2019_trial_table_two_is_recognised_and_only_same_meaning_cells_are_kept():
    text = ("第二十条第(一)项 |\n信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n规章 | 1 | 2 | 3 |\n"
            "规范性文件 | 4 | 5 | 6 |\n第二十条第(五)项 |\n信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n"
            "行政许可 | 21 | +19 | 40 |\n其他对外管理服务事项 | 0 | 0 | 0 |\n第二十条第(六)项 |\n"
            "信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n行政处罚 | 2 | -1 | 106 |\n行政强制 | 3 | 0 | 23 |\n"
            "第二十条第(八)项 |\n信息内容 | 上一年项目数量 | 本年增/减 |\n行政事业性收费 | 0 | 0 |\n")
    from tests.minimal_report import minimal_report, render_table2, default_table2

    doc = review_text(minimal_report().replace(render_table2(default_table2()), text))
    assert doc.tables["table2"].layout == "obsolete"
    assert doc.tables["table2"].values() == {"regulations.issued": 1, "normative_documents.issued": 4,
                                             "licensing.decisions": 40, "punishment.decisions": 106,
                                             "coercion.decisions": 23}
    rules = [f.rule for f in doc.findings if f.rule.startswith(("TABLE.", "FORMAT.OBSOLETE"))]
    assert rules == ["FORMAT.OBSOLETE_TABLE"]


def test_tokens_keep_exact_spans():
    text = "规章 | 0 | 12 | |\n行政许可\t1,517\t\t"
    toks = tokens_from_text(text, 0, len(text))
    for t in toks:
        assert text[t.start:t.end] == t.text
    assert [t.kind for t in toks] == ["label", "number", "number", "blank", "label", "number", "blank"]


def test_page_number_lines_inside_a_table_are_not_numbers():
    text = "规章 0 0\n\n- 3 -\n\n0\n"
    toks = tokens_from_text(text, 0, len(text))
    assert [t.text for t in toks if t.kind == "number"] == ["0", "0", "0"]
    assert isinstance(toks[0], Token)


def test_blank_line_layout_counts_extra_empty_lines_as_empty_cells():
    """One cell per line with one blank line between cells; an empty cell adds one more
    empty line (corpus reports_more/0203): 12, five empty cells, 12."""
    rows = ["一、本年新收政府信息公开申请数量\n\n12\n\n\n\n\n\n\n12", "二、上年结转政府信息公开申请数量\n\n\n\n\n\n\n\n\n",
            "三、本年度办理结果\n\n(一)予以公开\n\n4\n\n\n\n\n\n\n4"]
    text = "申请人情况\n\n自然人\n\n法人或其他组织\n\n总计\n\n商业企业\n\n科研机构\n\n其他\n\n" + "\n\n".join(rows) + "\n"
    reading = read_table(TABLE3_TEMPLATE, tokens_from_text(text, 0, len(text)))
    cells = {k: t.text for k, t in reading.cells().items()}
    assert cells == {"new.natural_person": "12", "new.total": "12", "granted.natural_person": "4",
                     "granted.total": "4"}
    # one blank line between the lines of a tab-indented layout is a row break, not a cell
    seed = SEEDS[0].read_text(encoding="utf-8")
    assert "\t0\n\t0\n" in seed
    from nlp_review.tables.align import blank_line_cells

    assert not blank_line_cells(seed.split("\n"))


def test_2019_and_2021_rows_mixed_in_one_table_two():
    """Block (一) with the 2019 header and 2021 blocks after it (corpus reports_more/0016),
    and 2019 rows whose three numbers are glued (reports/0104)."""
    text = ("第二十条第(一)项\n信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n规章 | 0 | 0 | 0 |\n"
            "规范性文件 | 2 | 2 | 9 |\n第二十条第(五)项\n信息内容 | 本年处理决定数量 |\n行政许可 | 5 |\n"
            "第二十条第(六)项\n信息内容 | 本年处理决定数量 |\n行政处罚 | 7 |\n行政强制 | 0 |\n"
            "第二十条第(八)项\n信息内容 | 本年收费金额(单位:万元) |\n行政事业性收费 | 282.1 |\n")
    reading = read_table(TABLE2_TEMPLATE, tokens_from_text(text, 0, len(text)), prefer="2019")
    cells = {k: t.text for k, t in reading.cells().items()}
    assert cells == {"regulations.issued": "0", "normative_documents.issued": "2", "licensing.decisions": "5",
                     "punishment.decisions": "7", "coercion.decisions": "0", "fees.amount_wan": "282.1"}
    assert not reading.incomplete
    glued = "第二十条(五)项\n信息内容上一年项目数量本年增/减处理决定数量\n行政许可012\n行政事业性收费00\n"
    reading = read_table(TABLE2_TEMPLATE, tokens_from_text(glued, 0, len(glued)), prefer="2019")
    assert {k: t.text for k, t in reading.cells().items()} == {"licensing.decisions": "2"}
