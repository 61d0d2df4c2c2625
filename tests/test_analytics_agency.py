"""The publisher parser (`nlp_review/analytics/agency.py`) on real excerpts and page chrome,
and its accuracy on the 182 excerpts' manifest (corpus/elements/docs) through
bench/agency_eval.py — the numbers the README reports."""
from __future__ import annotations

import sys

import pytest

from nlp_review.analytics.agency import clean_lines, parse_publisher
from tests.conftest import ROOT

DOCS = ROOT / "corpus" / "elements" / "docs"


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def test_title_with_page_mark_and_flip_book_chrome():
    p = parse_publisher(read("0018.txt"))  # “Page 3 - 威海市文登区综合行政执法局2021年…”
    assert p.agency == "威海市文登区综合行政执法局"
    assert (p.level, p.year, p.department) == ("county", 2021, "综合行政执法")
    assert (p.province, p.prefecture, p.county, p.region_code) == ("山东省", "威海市", "文登区", "371003000000")


def test_font_print_chrome_and_year_before_agency():
    p = parse_publisher(read("0016.txt"))  # “【字体: 】 打印” then “2022年度螅镇政府信息公开工作年度报告”
    assert p.agency == "螅镇人民政府" and p.title.startswith("2022年度螅镇")
    assert (p.level, p.year, p.department, p.township) == ("township", 2022, "人民政府", "螅镇")


def test_index_block_and_breadcrumb_chrome_are_not_the_agency():
    lines = clean_lines(read("0044.txt"))
    assert not any("索引号" in s or "发布机构" in s for s in lines.body)
    assert "市政府办公室" in lines.fields
    p = parse_publisher(read("0052.txt"))  # “首页 > 汕头市医疗保障局 > 政务公开 > …”
    assert p.agency == "汕头市医疗保障局" and p.year == 2020 and p.prefecture == "汕头市" and p.level == "city"


def test_template_leftovers_and_glued_menu_text():
    text = ("{{ title }}\n登录|注册长春市卫生健康委员会2024年政府信息公开工作年度报告\n"
            "本报告根据《中华人民共和国政府信息公开条例》编制。\n一、总体情况\n2024年，我委坚持……")
    p = parse_publisher(text)
    assert p.agency == "长春市卫生健康委员会" and p.year == 2024
    assert (p.province, p.prefecture, p.level, p.department) == ("吉林省", "长春市", "city", "卫生健康")


def test_signature_gives_agency_and_year_when_there_is_no_title():
    text = ("一、总体情况\n我局认真贯彻落实《条例》……\n六、其他需要报告的事项\n本年度无其他需要报告的事项。\n"
            "\n南宁市青秀区司法局\n2024年1月20日")
    p = parse_publisher(text)
    assert (p.agency, p.agency_source) == ("南宁市青秀区司法局", "signature")
    assert (p.year, p.year_source) == (2023, "signature")  # signed in January: reports on the year before
    assert (p.level, p.county, p.department) == ("county", "青秀区", "司法")


def test_filename_is_a_title_of_last_resort():
    p = parse_publisher("一、总体情况\n我局坚持……", None, "上饶市婺源县教育体育局2023年政府信息公开工作年度报告.docx")
    assert p.agency == "上饶市婺源县教育体育局" and p.year == 2023 and p.agency_source == "filename"
    assert (p.prefecture, p.county, p.level, p.department) == ("上饶市", "婺源县", "county", "教育")


def test_streets_townships_national_and_municipalities():
    street = parse_publisher("长沙市天心区桂花坪街道办事处2020年政府信息公开工作年度报告\n一、总体情况")
    assert (street.level, street.county, street.township, street.department) == ("street", "天心区", "桂花坪街道", "街道办事处")
    town = parse_publisher("呼兰区杨林乡2021年政府信息公开工作年度报告\n一、总体情况")
    assert (town.agency, town.level, town.prefecture) == ("呼兰区杨林乡人民政府", "township", "哈尔滨市")
    assert parse_publisher("自然资源部2022年政府信息公开工作年度报告\n一、总体情况").level == "national"
    bj = parse_publisher("北京市生态环境局2022年政府信息公开工作年度报告\n一、总体情况")
    assert (bj.level, bj.province, bj.prefecture) == ("province", "北京市", None)
    district = parse_publisher("北京市朝阳区人民政府2022年政府信息公开工作年度报告\n一、总体情况")
    assert (district.level, district.region_code) == ("county", "110105000000")  # not 长春市朝阳区


def test_short_forms_resolve_to_the_official_names():
    p = parse_publisher("肃南县人民政府2021年政府信息公开工作年度报告\n一、总体情况")
    assert p.agency == "肃南裕固族自治县人民政府" and p.prefecture == "张掖市"
    tax = parse_publisher("佛山市税务局2021年政府信息公开工作年度报告\n一、总体情况")
    assert tax.agency == "国家税务总局佛山市税务局" and tax.department == "税务" and tax.level == "city"


def test_one_agency_one_key_across_spellings():
    a = parse_publisher("福田区民政局2023年政府信息公开工作年度报告\n一、总体情况")
    b = parse_publisher("深圳市福田区民政局2024年政府信息公开工作年度报告\n一、总体情况")
    assert a.key == b.key and a.year == 2023 and b.year == 2024


def test_garbage_gives_nothing_not_a_crash():
    for text in ("", "\n\n", "|||||", "{{ title }}", "Page 1 - ", "x" * 10000):
        p = parse_publisher(text)
        assert p.agency is None and p.level is None


def test_accuracy_on_the_182_excerpts():
    """Guard for the README's figures (measured by bench/agency_eval.py, development set)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import agency_eval

    r = agency_eval.evaluate(agency_eval.load("reports", None))
    assert r["agency_n"] == 172 and r["year_n"] == 182
    assert r["agency_compatible"] / r["agency_n"] >= 0.82
    assert r["region_ok"] / r["region_n"] >= 0.85
    assert r["year_ok"] / r["year_n"] >= 0.98
    assert r["level_ok"] / r["level_n"] >= 0.90
    assert r["department_ok"] / r["department_n"] >= 0.82


@pytest.mark.parametrize("name", ["0003.txt", "0029.txt", "0053.txt", "0147.txt"])
def test_chrome_never_reaches_the_agency(name):
    p = parse_publisher(read(name))
    assert p.agency is None or not any(w in p.agency for w in ("首页", "位置", "字体", "打印", "发布", "登录", "|", ">"))


def test_title_only_at_the_end_of_the_breadcrumb():
    """Pages whose report title is only the last part of the breadcrumb (“当前位置：首页 > … > X局
    2023年…年度报告”, or glued to the column name after a space): the title and the agency are
    read from it as from the title line; a breadcrumb that ends with a column name is no title."""
    from nlp_review.analytics.agency import find_title

    checked = 0
    for path in sorted(DOCS.glob("0*.txt"))[:40]:
        text = path.read_text(encoding="utf-8")
        original = parse_publisher(text)
        lines = text.split("\n")
        at = [i for i, line in enumerate(lines) if line.strip() == original.title]
        if original.agency_source != "title" or not at:
            continue
        rest = "\n".join(lines[:at[0]] + lines[at[0] + 1:])
        if find_title(clean_lines(rest), None)[0] is not None:
            continue  # the page also has it elsewhere (a title broken over lines): that one is read
        for crumb in (f"当前位置：首页 > 政务公开 > 政府信息公开年报 > {original.title}",
                      f"首页>政府信息公开>法定主动公开内容>政府信息公开年报 {original.title}"):
            p = parse_publisher(crumb + "\n" + rest)
            assert (p.title, p.agency, p.year) == (original.title, original.agency, original.year), path.name
        checked += 1
    assert checked >= 10
    assert find_title(clean_lines("当前位置：首页 > 政务公开 > 政府信息公开年报\n一、总体情况\n本局全年…"), None) == (None, "")
