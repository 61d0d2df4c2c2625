"""Who published a report, where, at which level, and for which year.

`parse_publisher(text, title=None, filename=None)` is a pure function over the text the
pipeline built (`Doc.text`, or the contract's `text`), the title the structure layer found
(may be None or polluted) and the file name. It returns a `Publisher`: the agency name,
its level (national/province/city/county/street/township, as in the corpus manifests),
the region (gazetteer code and the names province → prefecture → county, plus the town or
street by name pattern), the kind of department (人民政府, 卫生健康, 公安 …) and the
reporting year, each with the place it was read from.

Real pages carry chrome around the report: breadcrumbs (“您现在的位置：首页 > …”), 索引号
blocks (`索引号: | … | 发布机构: | …`), “【字体：大 中 小】打印”, `{{ title }}` template
leftovers, flip-book page marks (“Page 3 - …”). Chrome lines are set aside first (their
发布机构/来源/breadcrumb values are kept as weak evidence), then the agency is read, in order
of trust, from: the title; the preamble's own wording (“现公布《X2023年…年度报告》”,
“结合X政府信息公开工作实际”, “本报告由X编制”, “2023年，X认真贯彻…”); the 落款 (an agency line
followed by a date at the end); the file name; the chrome; and, when nothing names it, the
reporting place the body speaks of (marked `agency_source="inferred"`, region only).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import PurePath

from ..structure.sections import year_of
from .gazetteer import MUNICIPALITIES, Gazetteer, code_level, load_gazetteer

LEVELS = ("national", "province", "city", "county", "street", "township")
LEVEL_NAMES = {"national": "国家级", "province": "省级", "city": "地市级", "county": "县级",
               "street": "街道", "township": "乡镇", None: "未识别"}

_CJK = "\u4e00-\u9fa5"
_YEAR = r"(?:19|20)\d{2}"
_CN_DIGITS = "〇零一二三四五六七八九"

# ---------------------------------------------------------------- chrome
_CHROME_LINE = re.compile(
    r"^\s*(?:【?\s*字[体号]\s*[:：]|【\s*打印|打印本页|\[?\s*打印\s*\]?\s*$|关闭(?:窗口|本页)?\s*$|分享到|扫一扫|"
    r"您?现?在?(?:所在)?的?当前位置|您现在(?:所在)?的位置|当前位置|位置\s*[:：]|首\s*页\s*[>›»/|]|"
    r"索引号|发布机构|发文机关|成文日期|发布日期|发布时间|公开方式|组配分类|主题分类|信息分类|公开范围|公开时限|"
    r"信息来源|来\s*源\s*[:：]|文章来源|浏览次数|访问量|点击[数量率]|阅读[数量次]|文\s*号\s*[:：]|有效性|生效日期|"
    r"网站标识码|[京津沪渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新]ICP|公网安备|主办单位|承办单位|"
    r"技术支持|联系我们|网站地图|版权所有|日期\s*[:：]|字号\s*[:：]|作者\s*[:：]|编辑\s*[:：]|责任编辑|"
    r"P\.\s*\d+\s*$|第\s*\d+\s*页|\d+\s*/\s*\d+\s*$|[|｜\s]+$|\{\{)")
_INLINE_CHROME = [
    re.compile(r"^\s*Page\s*\d+\s*[-–—]\s*"),               # flip-book page marks
    re.compile(r"【\s*字体\s*[:：][^】]*】\s*(?:打印)?"),
    re.compile(r"\{\{[^}]*\}\}"),
    re.compile(r"^\s*(?:标\s*题|名\s*称|文件名称)\s*[:：|]\s*"),
]
_FIELD = re.compile(r"(发布机构|发文机关|信息来源|来\s*源|文章来源)\s*[:：]\s*\|?\s*([^|｜\s]{2,40})")
_DATE_FIELD = re.compile(r"(?:发布时间|发布日期|成文日期|日期)\s*[:：]\s*\|?\s*(" + _YEAR + r")[-/.年](\d{1,2})")
_BREADCRUMB = re.compile(r"[>›»]")


@dataclass
class _Lines:
    body: list[str]                       # content lines, chrome removed, stripped
    fields: list[str] = field(default_factory=list)   # 发布机构 / 来源 values
    crumbs: list[str] = field(default_factory=list)   # breadcrumb parts
    published: tuple[int, int] | None = None          # (year, month) of the page


def clean_lines(text: str, head_lines: int = 60) -> _Lines:
    """Content lines with page chrome set aside; chrome only counts in the first
    `head_lines` lines and the last 10 (menus, footers), never inside the body."""
    raw = text.split("\n")
    out = _Lines([])
    n = len(raw)
    for i, line in enumerate(raw):
        s = line.strip()
        if not s:
            continue
        in_frame = i < head_lines or i >= n - 10
        if in_frame:
            for m in _FIELD.finditer(s):
                out.fields.append(m.group(2))
            m = _DATE_FIELD.search(s)
            if m and out.published is None:
                out.published = (int(m.group(1)), int(m.group(2)))
            if _BREADCRUMB.search(s) and ("首页" in s or "位置" in s):
                out.crumbs.extend(p.strip(" :：") for p in _BREADCRUMB.split(s) if p.strip())
                continue
            if _CHROME_LINE.match(s):
                continue
        for rx in _INLINE_CHROME:
            s = rx.sub("", s)
        s = s.strip()
        if s:
            out.body.append(s)
    return out


# ---------------------------------------------------------------- organisations
# What ends an agency name. Longest first, so 人民政府办公室 wins over 办公室.
_ORGANS = ("人民政府办公室", "人民政府办公厅", "人民政府", "街道办事处", "办事处", "管理委员会", "管委会", "委员会",
           "政府办公室", "政府办", "政府", "办公室", "办公厅", "总局", "分局", "局", "厅", "委", "办", "署", "中心",
           "院", "所", "站", "部", "处", "队", "会")
_ORGAN_RX = "|".join(map(re.escape, _ORGANS))
_TOWN_RX = rf"[{_CJK}]{{1,8}}?(?:街道办事处|街道|镇|乡|苏木|社区)"
# a town, township or street at the start of what follows the county: 杨林乡(人民政府), 桂花坪街道(办事处)
_TOWN_AT = re.compile(rf"([{_CJK}]{{1,8}}?(?:街道|镇|乡|苏木|社区))(?=人民政府|政府|党|办事处|居民委员会|居委会|$|[^{_CJK}])")
_PLACE_END = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "省", "市", "地区", "盟", "县", "区", "旗",
              "镇", "乡", "苏木", "街道", "新区", "开发区", "高新区", "园区")
_NATIONAL = re.compile(r"^(?:国务院|国家(?!税务总局[^局]{2,}税务局)|中华人民共和国|中国(?!共产党))")
_LEAD_WORDS = re.compile(
    r"^(?:.*?(?:根据|依据|按照|结合|对照|现将|现对|现向|现|特|经|由|是|为|向社会公布|公布|发布|编制|报送|制定|关于|本|在))?")
_NOT_AGENCY = re.compile(r"政府信息|信息公开|条例|通知|要求|规定|办法|意见|报告|年度|工作|领导|党委|党组|委员会议|"
                         r"我[局委办厅院署]|全[市县区省镇乡]|各[级部]|有关|上级|本级|以上|以下|其中|全年|共计|累计")

_DEPARTMENTS: list[tuple[str, str]] = [
    ("街道办事处", r"街道办事处$|街道办$|街道$|社区$|街道党工委"),
    ("开发区管委会", r"(?:开发区|高新区|新区|园区|试验区|示范区|合作区)(?:管理委员会|管委会)(?:办公室)?$"),
    ("卫生健康", r"卫生健康|卫健|卫生和计划生育|卫计"),
    ("公安", r"公安"),
    ("民政", r"民政"),
    ("司法", r"司法"),
    ("税务", r"税务"),
    ("自然资源", r"自然资源|国土资源|规划和自然|国土"),
    ("交通运输", r"交通|公路|港航|运输管理"),
    ("退役军人事务", r"退役军人"),
    ("财政", r"财政"),
    ("医疗保障", r"医疗保障|医保"),
    ("住房和城乡建设", r"住房和城乡建设|住房城乡建设|住建|住房和建设|城乡建设|建设局|建设委员会|房屋管理|房管|住房保障"),
    ("人力资源和社会保障", r"人力资源|人社"),
    ("应急管理", r"应急管理|应急局|安全生产监督"),
    ("水利", r"水利|水务"),
    ("农业农村", r"农业农村|农业|农牧|农林|畜牧"),
    ("文化和旅游", r"文化|文旅|旅游|文体|广电|广播电视"),
    ("生态环境", r"生态环境|环境保护|环保"),
    ("统计", r"统计"),
    ("审计", r"审计"),
    ("工业和信息化", r"工业和信息化|工信|经济和信息化|经信|工业信息化"),
    ("市场监督管理", r"市场监督|市场监管"),
    ("教育", r"教育|教体"),
    ("发展和改革", r"发展和改革|发展改革|发改"),
    ("商务", r"商务"),
    ("科技", r"科学技术|科技"),
    ("林业", r"林业|林草"),
    ("综合行政执法", r"综合行政执法|城市管理|城管|行政执法"),
    ("政务服务和数据管理", r"政务服务|数据管理|大数据|行政审批|数据资源"),
    ("档案", r"档案"),
    ("外事", r"外事|外办|外事办"),
    ("机关事务", r"机关事务|机关后勤"),
    ("信访", r"信访"),
    ("国有资产", r"国有资产|国资"),
    ("体育", r"体育"),
    ("粮食和物资储备", r"粮食|物资储备"),
    ("气象", r"气象"),
    ("民族宗教", r"民族|宗教"),
    ("人民政府", r"(?:人民政府|政府)(?:办公室|办公厅|办)?$|党政(?:综合)?办|(?:镇|乡|苏木|县|区|市|旗|省|自治区|州|盟)$"),
]
_DEPARTMENT_RX = [(k, re.compile(p)) for k, p in _DEPARTMENTS]


# ---------------------------------------------------------------- result
@dataclass
class Publisher:
    agency: str | None = None
    agency_source: str | None = None       # title / preamble / signature / filename / chrome / body / inferred
    level: str | None = None               # one of LEVELS
    department: str | None = None
    organ: str | None = None               # the agency's name after its places (民政局, 人民政府办公室)
    region_code: str | None = None         # 12-digit gazetteer code of the deepest known division
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    township: str | None = None            # 镇/乡/苏木/街道 name (not in the gazetteer)
    region_inferred: bool = False          # region read from the body, not from the agency name
    year: int | None = None
    year_source: str | None = None         # title / preamble / period / signature / published / filename / body
    title: str | None = None

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def key(self) -> str | None:
        """One agency across years and spellings: its place (code, town) and its organ, so
        that 福田区民政局 and 深圳市福田区民政局 are one agency."""
        if not self.agency:
            return None
        if self.region_code and not self.region_inferred:
            return f"{self.region_code}|{self.township or ''}|{self.organ}"
        return self.agency

    @property
    def region_path(self) -> list[str]:
        return [n for n in (self.province, self.prefecture, self.county) if n]


# ---------------------------------------------------------------- years
def _cn_year(s: str) -> int | None:
    if len(s) != 4:
        return None
    try:
        return int("".join(str(_CN_DIGITS.index(c) if c != "零" else 0) if c in _CN_DIGITS else "x" for c in s))
    except ValueError:
        return None


def year_in(s: str) -> int | None:
    """The first year written in `s` (2023年, 二〇二三年), when plausible for a report."""
    y = year_of(s)
    return y if y and 1990 <= y <= 2100 else None


_PERIOD = re.compile(rf"({_YEAR})\s*年\s*(?:度\s*)?(?:1|一)\s*月\s*(?:1|一)\s*日\s*(?:起\s*)?(?:至|到|—|-|~)")
_YEAR_OF_WORK = re.compile(rf"(?:^|[。；\n])\s*({_YEAR})\s*年(?:度|以来|，|,|,|我|全|在|本)")
_SIGN_DATE = re.compile(rf"({_YEAR}|[{_CN_DIGITS}]{{4}})\s*年\s*(\d{{1,2}}|[一二三四五六七八九十]{{1,2}})\s*月\s*(?:\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*日\s*$")
_CN_MONTH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}


def _plausible(y: int | None) -> bool:
    return y is not None and 2007 <= y <= 2100


# ---------------------------------------------------------------- titles
_TITLE_WORDS = re.compile(r"(?:政府信息公开|政务公开|信息公开)[^。，,；]{0,16}?(?:年度报告|年报|工作报告|情况报告)|年度报告$")
_QUOTED_TITLE = re.compile(rf"《([^《》\n]{{4,80}}?(?:政府信息公开|政务公开)[^《》\n]{{0,24}}?(?:年度报告|年报|工作报告))》")


_MENU = re.compile(r"(?:\S{1,6}\s+){3,}\S{1,6}")  # “首页 走进汉台 新闻中心 政府信息公开 …”


def _looks_like_title(s: str) -> bool:
    return bool(s) and len(s) <= 90 and bool(_TITLE_WORDS.search(s)) and not re.search(r"根据|依据|按照|现将|[。，,；;]", s)


def find_title(lines: _Lines, given: str | None) -> tuple[str | None, str]:
    """The report's title and where it came from (title/quoted)."""
    if given:
        g = given
        for rx in _INLINE_CHROME:
            g = rx.sub("", g)
        g = g.strip()
        if _looks_like_title(g):
            return g, "title"
    body = lines.body
    for i, s in enumerate(body[:25]):
        if _looks_like_title(s) and not _MENU.search(s):
            # a leading agency line: “X人民政府” + “2023年政府信息公开工作年度报告”
            if i > 0 and len(body[i - 1]) <= 30 and _ends_with_organ(body[i - 1]) and re.match(_YEAR, s):
                s = body[i - 1] + s
            return s, "title"
    for i, s in enumerate(body[:25]):
        # a title broken over lines: “…政府信息公开工作” + “年度报告”
        if (i + 1 < len(body) and len(s) <= 40 and not re.search(r"[。，,；;]", s) and not _MENU.search(s)
                and _looks_like_title(s + body[i + 1])):
            return s + body[i + 1], "title"
    # the page's title only at the end of its breadcrumb (“当前位置：首页 > … > X局2023年…年度报告”):
    # a crumb with a year and an agency, not a column name like “政府信息公开年报”
    for crumb in reversed(lines.crumbs):
        for part in reversed(crumb.split()):
            if _looks_like_title(part) and year_in(part) and agency_of_title(part):
                return part, "title"
    head = "\n".join(body[:12])
    m = _QUOTED_TITLE.search(head)
    if m:
        return m.group(1), "quoted"
    return None, ""


def _ends_with_organ(s: str) -> bool:
    return bool(re.search(rf"(?:{_ORGAN_RX})$", s))


def agency_of_title(title: str) -> str | None:
    """The agency a title names: before the year (“X2023年政府信息公开…”) or between the
    year and the report words (“2022年度X政府信息公开…”); page chrome glued in front
    (“登录|注册”, “•长者版”, a clock) is cut at the last character that is not Chinese."""
    t = re.sub(r"^\s*关于", "", title)
    m = re.search(rf"{_YEAR}\s*年度?|[{_CN_DIGITS}]{{4}}\s*年度?|(?:政府信息公开|政务公开|信息公开)", t)
    head = t[:m.start()] if m else ""
    if m and not re.search(f"[{_CJK}]", head):
        after = t[m.end():]
        k = re.search(r"政府信息公开|政务公开|信息公开", after)
        head = after[:k.start()] if k else ""
    head = re.sub(r"[\s:：|·\-—]+$", "", head)
    run = re.search(rf"[{_CJK}（）()]+$", head)
    head = run.group(0) if run else ""
    half = len(head) // 2
    if len(head) % 2 == 0 and half >= 3 and head[:half] == head[half:]:
        head = head[:half]  # “涡阳县水利局涡阳县水利局”
    return head or None


# ---------------------------------------------------------------- agency candidates
_AGENCY_NAME = rf"[{_CJK}（）()]{{2,40}}?(?:{_ORGAN_RX}|{_TOWN_RX}|(?:县|区|旗|市))"
_PREAMBLE_SLOTS = [
    re.compile(rf"结合(?:我单位|本单位)?({_AGENCY_NAME})(?:的)?(?:{_YEAR}年度?)?(?:政府信息公开|政务公开|信息公开|工作实际)"),
    re.compile(rf"(?:本报告|本年度报告|报告)由({_AGENCY_NAME})(?:根据|依据|按照|编制|负责|办公室|综合)"),
    re.compile(rf"由({_AGENCY_NAME})(?:党政(?:综合)?办公室|办公室)?(?:编制|编写|制作|撰写)"),
    re.compile(rf"(?:公布|发布|编制|报送|形成)(?:了)?(?:{_YEAR}\s*年度?)?({_AGENCY_NAME})(?:{_YEAR}\s*年度?)?(?:政府信息公开|政务公开|信息公开)"),
    re.compile(rf"(?:^|[。\n])\s*(?:{_YEAR}\s*年度?(?:以来)?)[，,]\s*(?:在[^，,。]{{2,30}}[，,]\s*)?({_AGENCY_NAME})(?=认真|深入|全面|坚持|严格|紧紧|始终|高度|积极|持续|以|按照|围绕|在|不断|切实|扎实|进一步|聚焦|立足|把|将|结合|贯彻|落实|着力|继续|大力|紧扣|加强)"),
    re.compile(rf"(?:^|[。\n])\s*({_AGENCY_NAME})(?=认真贯彻|深入贯彻|全面贯彻|坚持以|严格按照|严格落实|紧紧围绕|始终坚持|高度重视|以习近平)"),
]
_CHEAP_TAIL = re.compile(r"(?:的|和|及|与|、)$")


def _trim_agency(s: str | None) -> str | None:
    """Cut lead words (根据/结合/由 …) and whitespace from a candidate agency name."""
    if not s:
        return None
    s = re.sub(r"\s+", "", s)
    for rx in _INLINE_CHROME:
        s = rx.sub("", s)
    s = re.sub(r"^[《“\"（(]+|[》”\"]+$", "", s)
    s = re.sub(r"^(?:关于|根据|依据|结合|按照|我们|现将|由|本)", "", s)
    s = s.strip(" :：|-—·")
    s = re.sub(r"(局|委|办|厅)\1$", r"\1", s)
    if len(s) < 2 or len(s) > 45:
        return None
    return s


def _plausible_agency(s: str | None) -> bool:
    if not s or len(s) < 2:
        return False
    if _NOT_AGENCY.search(s):
        # 委员会 in 卫生健康委员会 is fine; 政府信息/通知 … is a sentence fragment
        core = s.replace("委员会", "").replace("工作委员会", "")
        if _NOT_AGENCY.search(core):
            return False
    return bool(re.search(rf"(?:{_ORGAN_RX})$|(?:{_TOWN_RX})$|(?:县|区|旗|市|省|州|盟)$", s))


def _starts_with_place(s: str, gaz: Gazetteer) -> bool:
    """An agency name opens with a place (gazetteer name, town, 市/县/区 of an abbreviated
    own place) or is national."""
    if _NATIONAL.match(s) or re.match(r"(?:市|县|区|州|省|旗|盟)(?!场|民|委|里|直)", s):
        return True
    m = re.match(rf"{_TOWN_RX}", s)
    if m and not re.match(r"(?:人民|政府|办事|街道办|机关|单位|部门)", s) and len(m.group(0)) <= 7 \
            and not re.search(r"公开|推进|做好|及时|加强|开展|落实|全面|深入|工作|城乡", m.group(0)):
        return True
    return any(s.startswith(n) for n in (s[:k] for k in range(2, min(len(s), 16) + 1)) if n in gaz.codes)


def _anchor_at_place(s: str | None, gaz: Gazetteer) -> str | None:
    """Menu words glued in front of a title's agency (“注册长春市…”, “智能问答广州市…”):
    start at the first gazetteer place when the name does not open with one."""
    if not s or _starts_with_place(s, gaz):
        return s
    for i in range(1, len(s) - 2):
        rest = s[i:]
        if _NATIONAL.match(rest) or any(rest[:k] in gaz.codes for k in range(2, min(len(rest), 16) + 1)):
            return rest
    return s


def _signature(body: list[str]) -> tuple[str | None, tuple[int, int] | None]:
    """The 落款 at the end: an agency line and/or a date line among the last lines."""
    agency, date = None, None
    tail = body[-6:]
    for i in range(len(tail) - 1, -1, -1):
        s = tail[i].replace(" ", "")
        m = _SIGN_DATE.search(s)
        if m and len(s) <= 40:
            y = int(m.group(1)) if m.group(1).isdigit() else _cn_year(m.group(1))
            mo = int(m.group(2)) if m.group(2).isdigit() else _CN_MONTH.get(m.group(2), 0)
            if y:
                date = (y, mo)
            rest = s[:m.start()].strip()
            if rest and _plausible_agency(rest) and len(rest) <= 30:
                agency = rest
            elif i > 0:
                prev = tail[i - 1].replace(" ", "")
                if len(prev) <= 30 and _plausible_agency(prev) and not re.search(r"[。，,；;:：]", prev):
                    agency = prev
            break
    return agency, date


# ---------------------------------------------------------------- places
@dataclass
class _Region:
    codes: list[str]            # province → … → deepest code in the gazetteer
    township: str | None
    rest: str                   # the organ part after the places
    ambiguous: bool = False
    county_name: str | None = None   # a county-level name the gazetteer lacks (坪山区)
    full_names: list = field(default_factory=list)  # (short form written, official name): 肃南县 → 肃南裕固族自治县


def _split_places(name: str, gaz: Gazetteer, votes: Counter | None = None) -> _Region:
    """Read the place names at the start of an agency name, down the hierarchy."""
    i, codes, town = 0, [], None
    name = re.sub(r"^(?:国家税务总局|中共)", "", name)
    ambiguous = False
    full_names: list[tuple[str, str]] = []
    while i < len(name):
        rest = name[i:]
        parent = codes[-1] if codes else None
        hit = gaz.find_child_prefix(parent, rest) if parent and code_level(parent) < 3 else None
        if hit:
            codes.append(hit[0])
            i += hit[1]
            continue
        found = None
        for n in gaz._lengths:
            if rest[:n] in gaz.codes:
                found = rest[:n]
                break
        if found and not (len(found) == 2 and rest[2:3] in ("省", "市", "县", "区")):
            cands = gaz.codes[found]
            if parent:
                inside = [c for c in cands if parent in gaz.chain(c)]
                if not inside:
                    break
                cands = inside
            if len(cands) > 1:
                ambiguous = True
                if votes:
                    cands = sorted(cands, key=lambda c: -sum(votes[a] for a in gaz.chain(c)[:-1]))
            codes.append(cands[0])
            if found in gaz.aliases and code_level(cands[0]) > 1:
                full_names.append((found, gaz.name(cands[0])))
            i += len(found)
            continue
        m = _TOWN_AT.match(rest)
        if m and not re.match(r"(?:人民|政府|办事|街道办)", rest) and not re.search(r"城乡|局|委|厅|中心", m.group(1)):
            town = m.group(1)
            i += len(town)
        break
    region = _Region(codes, town, name[i:], ambiguous)
    region.full_names = full_names
    if codes and code_level(codes[-1]) == 2 and not town:
        # a county-level unit the gazetteer lacks or names only inside the organ:
        # 深圳市坪山区 (created 2016), 长沙市自然资源和规划局望城分局
        m = re.match(rf"([{_CJK}]{{1,6}}?(?:区|县|旗))(?=人民政府|政府|[{_CJK}]{{1,12}}(?:局|委|办|中心|署)|$)", region.rest)
        if m and not re.match(r"(?:地区|市区|城区|辖区|园区|社区|片区|新区|开发区|高新区)$", m.group(1)[-2:]) \
                and not re.search(r"(?:开发|高新|新区|园区)", m.group(1)):
            region.county_name = m.group(1)
        else:
            for c in gaz.children.get(codes[-1], []):
                stem = gaz.name(c)[:-1]
                if len(stem) >= 2 and re.search(re.escape(stem) + r"(?:区|县)?(?:分局|监管局|管理所)$", region.rest):
                    region.codes.append(c)
                    break
    return region


def _place_votes(text: str, gaz: Gazetteer) -> Counter:
    votes: Counter = Counter()
    for _, _, n in gaz.find(text[:4000]):
        for c in gaz.codes[n]:
            for a in gaz.chain(c):
                votes[a] += 1
    return votes


def _self_level(text: str, region: _Region | None, gaz: Gazetteer) -> str | None:
    """The level a report speaks of itself at: 我镇/全镇 … 我省/全省 (most frequent)."""
    counts = Counter(m.group(1) for m in re.finditer(r"(?:我|本|全)(省|市|县|区|旗|镇|乡|街道)", text[:4000]))
    if not counts:
        return None
    unit = counts.most_common(1)[0][0]
    if unit == "市" and region and region.codes:
        deepest = region.codes[-1]
        if code_level(deepest) == 3:
            return "county"  # a county-level city
        if code_level(deepest) == 1 and deepest[:2] in MUNICIPALITIES:
            return "province"
    return {"省": "province", "市": "city", "县": "county", "区": "county", "旗": "county",
            "镇": "township", "乡": "township", "街道": "street"}[unit]


def _name_level(agency: str) -> str | None:
    if re.match(rf"[{_CJK}]{{1,8}}?(?:省|自治区)", agency):
        return "province"
    if re.match(r"(?:县|区|旗)(?!场|民|委|里|直)", agency):
        return "county"
    if re.match(r"(?:州|盟)(?!场|民|委|里|直)", agency):
        return "city"
    return None


def _level_of(agency: str | None, region: _Region | None, text: str, inferred: bool = False,
              gaz: Gazetteer | None = None) -> str | None:
    if agency and (_NATIONAL.match(agency) or re.fullmatch(rf"[{_CJK}]{{2,10}}部", agency)) \
            and not (region and region.codes and not inferred):
        return "national"
    if region and region.township:
        return "street" if re.search(r"街道|社区", region.township) else "township"
    if inferred or not (region and region.codes):
        # the place was read from the body: trust the name's own words, then the self-references
        lvl = (_name_level(agency) if agency else None) or _self_level(text, region, gaz)
        if lvl:
            return lvl
    if region:
        if region.county_name:
            return "county"
        if region.township:
            return "street" if re.search(r"街道|社区", region.township) else "township"
        if region.codes:
            deepest = region.codes[-1]
            lvl = code_level(deepest)
            zone = re.match(r"[^局委办厅]{0,10}?(?:开发区|高新区|新区|园区|试验区|示范区)", region.rest or "")
            if lvl == 3:
                return "county"
            if lvl == 2:
                if deepest[:2] in MUNICIPALITIES:
                    return "province"
                if zone and re.match(r"[^局委办厅]{0,4}(?:经济技术开发区|高新技术产业开发区|高新区)", region.rest):
                    return "city"
                # a county-level name the gazetteer lacks (新区, a new district) right after the city
                if zone:
                    return "county"
                m = re.match(rf"[{_CJK}]{{1,6}}?(?:区|县|旗)(?!政府|人民|委|局|办|中心|管)", region.rest or "")
                if m and not re.match(r"(?:地区|市区|城区|辖区|园区|社区|片区)", m.group(0)):
                    return "county"
                return "city"
            return "province"
    if agency:
        if re.match(rf"[{_CJK}]{{1,8}}?(?:省|自治区)", agency):
            return "province"
        if re.match(rf"[{_CJK}]{{1,8}}?(?:自治州|地区|盟)", agency):
            return "city"
        if re.match(rf"[{_CJK}]{{1,8}}?(?:县|旗|区)", agency):
            return "county"
        if re.match(r"(?:市|州)(?:人民)?政府|市[^场]", agency):
            return "city"
    # No place in the name: the way the report speaks of itself.
    head = text[:3000]
    if re.search(r"我(?:镇|乡)|本(?:镇|乡)|(?:镇|乡)(?:党委|政府|人民政府)|全(?:镇|乡)", head):
        return "township"
    if re.search(r"我街道|本街道|街道(?:党工委|办事处)|全街道", head):
        return "street"
    return None


def _department_of(agency: str | None, rest: str, level: str | None) -> str | None:
    if not agency:
        return None
    organ = (rest or agency).replace("人民政府", "政府")  # 人民政府 holds 民政
    for kind, rx in _DEPARTMENT_RX:
        if rx.search(organ):
            return kind
    if level in ("township",) and re.fullmatch(r"(?:人民)?政府.*|", organ):
        return "人民政府"
    if level == "street":
        return "街道办事处"
    return "其他"


_ABBREVIATIONS = [
    (r"人社局$", "人力资源和社会保障局"), (r"人力资源社会保障局$", "人力资源和社会保障局"),
    (r"卫健委$", "卫生健康委员会"), (r"卫生健康委$", "卫生健康委员会"), (r"卫健局$", "卫生健康局"),
    (r"市场监管局$", "市场监督管理局"), (r"发改委$", "发展和改革委员会"), (r"发展改革委$", "发展和改革委员会"),
    (r"发改局$", "发展和改革局"), (r"发展改革局$", "发展和改革局"), (r"住建局$", "住房和城乡建设局"),
    (r"住房城乡建设局$", "住房和城乡建设局"), (r"应急局$", "应急管理局"), (r"医保局$", "医疗保障局"),
    (r"自然资源和规划局$", "自然资源和规划局"), (r"文旅局$", "文化和旅游局"), (r"文化旅游局$", "文化和旅游局"),
    (r"生态环境分局$", "生态环境分局"), (r"退役军人局$", "退役军人事务局"), (r"交通局$", "交通运输局"),
    (r"工信局$", "工业和信息化局"), (r"市监局$", "市场监督管理局"), (r"政数局$", "政务服务数据管理局"),
]


def _canonical(agency: str) -> str:
    """人民政府 spelled out; a bare place or town means its government; the usual short
    forms of departments spelled out (人社局, 卫健委, 市场监管局 …); tax bureaus under
    国家税务总局 as they are officially named."""
    a = agency
    for rx, full in _ABBREVIATIONS:
        a = re.sub(rx, full, a)
    a = re.sub(r"人民政府(?=[^政府]{1,10}(?:街道办事处|街道|镇|乡)(?:人民政府)?$)", "", a)
    if a.endswith("税务局") and not a.startswith("国家税务总局") and len(a) > 5:
        a = "国家税务总局" + a
    a = re.sub(r"(?<!人民)政府(办公室|办公厅|办)?$", lambda m: "人民政府" + (m.group(1) or ""), a)
    a = re.sub(r"人民政府办$", "人民政府办公室", a)
    if re.search(r"(?:镇|乡|苏木|县|旗|省|自治区|自治州|盟)$", a) or re.search(r"[^城市辖园社片地]区$", a) and not a.endswith("街道区"):
        a += "人民政府"
    elif a.endswith("街道") or a.endswith("街道办"):
        a = re.sub(r"街道办?$", "街道办事处", a)
    elif re.search(r"市$", a) and len(a) <= 8:
        a += "人民政府"
    return a


# ---------------------------------------------------------------- the parser
def parse_publisher(text: str, title: str | None = None, filename: str | None = None,
                    gazetteer: Gazetteer | None = None) -> Publisher:
    gaz = gazetteer or load_gazetteer()
    text = text or ""
    lines = clean_lines(text)
    pub = Publisher()
    title_s, _ = find_title(lines, title)
    pub.title = title_s
    stem = PurePath(filename).stem if filename else ""

    # --- agency candidates, most trusted first
    cands: list[tuple[str, str]] = []
    if title_s:
        a = _anchor_at_place(_trim_agency(agency_of_title(title_s)), gaz)
        if a:
            cands.append((a, "title"))
    head = "\n".join(lines.body[:14])
    for rx in _PREAMBLE_SLOTS:
        for m in rx.finditer(head):
            a = _trim_agency(_LEAD_WORDS.sub("", m.group(1)) if len(m.group(1)) > 20 else m.group(1))
            if a and _plausible_agency(a) and _starts_with_place(a, gaz):
                cands.append((a, "preamble"))
    sign_agency, sign_date = _signature(lines.body)
    if sign_agency:
        cands.append((sign_agency, "signature"))
    if stem and _TITLE_WORDS.search(stem):
        a = _trim_agency(agency_of_title(stem))
        if a:
            cands.append((a, "filename"))
    for f in lines.fields:
        a = _trim_agency(f)
        if a and _plausible_agency(a) and _starts_with_place(a, gaz):
            cands.append((a, "chrome"))
    for c in lines.crumbs:
        a = _trim_agency(c)
        if a and _plausible_agency(a) and _starts_with_place(a, gaz) and not re.search(r"首页|公开|年报|报告|专栏|目录|指南|制度", a):
            cands.append((a, "chrome"))
    cands.extend((a, "body") for a in _body_subjects("\n".join(lines.body), gaz))

    votes = _place_votes(text, gaz)
    chosen = _choose(cands, gaz)
    region = None
    if chosen:
        name, source = chosen
        full = _qualify_short(name, gaz, votes)
        if full != name:
            name, source = full, source + "+body"
        pub.agency, pub.agency_source = _canonical(name), source
        region = _split_places(pub.agency, gaz, votes)
        for short, full_name in region.full_names:
            pub.agency = pub.agency.replace(short, full_name, 1)
        if not region.codes and region.township:
            region = _qualify_town(region, text, gaz, votes)
    if region is None or not region.codes:
        inferred = _inferred_region(text, gaz, votes, pub.agency)
        if inferred:
            if region is None:
                region = _Region(inferred, None, "")
            else:
                region.codes = inferred
            pub.region_inferred = True
            if pub.agency is None:
                pub.agency_source = "inferred"
    pub.level = _level_of(pub.agency, region, text, pub.region_inferred, gaz)
    if pub.region_inferred and pub.agency and region and not region.township and pub.level:
        # “市政府办公室” with the city read from the body: the body's place may be deeper
        want = {"province": 1, "city": 2, "county": 3}.get(pub.level)
        if want:
            region.codes = [c for c in region.codes if code_level(c) <= want]
    if region and region.codes:
        deepest = region.codes[-1]
        pub.region_code = deepest
        for c in gaz.chain(deepest):
            lvl = code_level(c)
            if lvl == 1:
                pub.province = gaz.name(c)
            elif lvl == 2:
                pub.prefecture = gaz.name(c)
            else:
                pub.county = gaz.name(c)
    if region and region.county_name and not pub.county:
        pub.county = region.county_name
    if region:
        pub.township = region.township
    pub.department = _department_of(pub.agency, region.rest if region else "", pub.level)
    if pub.agency:
        pub.organ = (region.rest if region and not pub.region_inferred else "") or pub.agency

    # --- year
    pub.year, pub.year_source = _year(title_s, lines, text, sign_date, stem)
    return pub


def _choose(cands: list[tuple[str, str]], gaz: Gazetteer) -> tuple[str, str] | None:
    if not cands:
        return None
    best = cands[0]
    # A later candidate that names the same agency with more of its place (佳县螅镇 for 螅镇,
    # 哈尔滨市呼兰区杨林乡 for 呼兰区杨林乡) is the same agency, better qualified.
    core = _canonical(best[0])
    for a, src in cands[1:]:
        ca = _canonical(a)
        if ca != core and ca.endswith(core) and len(ca) <= len(core) + 12:
            prefix = ca[:-len(core)]
            reg = _split_places(prefix, gaz)
            if reg.codes and not reg.rest or re.fullmatch(_TOWN_RX, prefix):
                best, core = (a, best[1]), ca
    if not _plausible_agency(_canonical(best[0])) and best[1] == "title":
        others = [c for c in cands[1:] if _plausible_agency(c[0])]
        if others:
            return others[0]
    return best


_SUBJECT = re.compile(
    rf"(?:^|[。；;，,\n])\s*(?:{_YEAR}\s*年度?(?:以来)?[，,]?\s*)?({_AGENCY_NAME})(?=认真|深入|全面|坚持|严格|紧紧|始终|高度|积极|"
    r"持续|以习|按照|围绕|不断|切实|扎实|进一步|聚焦|立足|通过|共|累计|主动|把|将|结合|贯彻|落实|着力|继续|大力|紧扣|"
    r"加强|未|没有|收到|及时|依托|利用|制定|建立|完善|召开|组织|开展|按时|定期|全年|本年|政府信息公开工作)")


def _body_subjects(body: str, gaz: Gazetteer) -> list[str]:
    """Agency names that open a clause as its subject (“安棚镇通过政务门户网站…”), most
    frequent first; only names that open with a place."""
    counts: Counter = Counter()
    for m in _SUBJECT.finditer(body[:4000]):
        a = _trim_agency(m.group(1))
        if a and _plausible_agency(a) and _starts_with_place(a, gaz) and not re.match(r"(?:市|县|区|州|省|旗|盟)", a):
            counts[a] += 1
    return [a for a, _ in counts.most_common(2)]


def _qualify_short(name: str, gaz: Gazetteer, votes: Counter) -> str:
    """“市农业农村局” → “汉中市农业农村局” when the body names one city most; same for
    县/区/州/旗 (a report calls its own place 市 or 县 without the name)."""
    m = re.match(r"(市|县|区|州|旗|盟)(?!场|民|委|里|直)", name)
    if not m:
        return name
    ch = m.group(1)
    want = {"市": (2, 3), "州": (2,), "盟": (2,), "县": (3,), "区": (3,), "旗": (3,)}[ch]
    cands = [(votes[c], -want.index(code_level(c)) if code_level(c) in want else 0, c) for c in votes
             if (code_level(c) in want or ch == "市" and c[:2] in MUNICIPALITIES and code_level(c) == 1)
             and gaz.name(c).endswith(ch)]
    if not cands:
        return name
    n, _, c = max(cands)
    return gaz.name(c) + name[1:] if n >= 1 else name


def _qualify_town(region: _Region, text: str, gaz: Gazetteer, votes: Counter) -> _Region:
    """A town alone (“螅镇”): its county is the county the body names most, if any."""
    counties = [(votes[c], c) for c in votes if code_level(c) == 3]
    if counties:
        n, c = max(counties)
        if n >= 1:
            region.codes = gaz.chain(c)
    return region


def _inferred_region(text: str, gaz: Gazetteer, votes: Counter, agency: str | None) -> list[str]:
    """The place the report is about, from the names the body uses most (first 4,000
    characters): the deepest division that at least two mentions support."""
    if not votes:
        return []
    best: list[str] = []
    for lvl in (1, 2, 3):
        cands = [(n, c) for c, n in votes.items() if code_level(c) == lvl and (not best or best[-1] in gaz.chain(c))]
        if not cands:
            break
        n, c = max(cands)
        if n < 2 and lvl > 1 or (best and n < votes[best[-1]] * 0.5):
            break
        best = gaz.chain(c)
    return best


def _year(title: str | None, lines: _Lines, text: str, sign_date, stem: str) -> tuple[int | None, str | None]:
    if title:
        y = year_in(title)
        if _plausible(y):
            return y, "title"
    head = "\n".join(lines.body[:14])
    m = _PERIOD.search(head) or _PERIOD.search(text[:6000])
    if m:
        return int(m.group(1)), "period"
    m = _QUOTED_TITLE.search(head)
    if m and _plausible(year_in(m.group(1))):
        return year_in(m.group(1)), "preamble"
    m = re.search(rf"({_YEAR})\s*年度?(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?报告", head)
    if m:
        return int(m.group(1)), "preamble"
    m = _YEAR_OF_WORK.search(head)
    if m:
        return int(m.group(1)), "preamble"
    if sign_date and sign_date[0] and _plausible(sign_date[0]):
        y, mo = sign_date
        return (y - 1 if mo and mo <= 6 else y), "signature"
    if stem:
        m = re.search(rf"({_YEAR})", stem)
        if m:
            return int(m.group(1)), "filename"
    if lines.published:
        y, mo = lines.published
        return (y - 1 if mo <= 6 else y), "published"
    years = Counter(int(y) for y in re.findall(rf"({_YEAR})\s*年", text[:6000]) if 2007 <= int(y) <= 2100)
    if years:
        return years.most_common(1)[0][0], "body"
    return None, None
