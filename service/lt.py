"""A LanguageTool-compatible HTTP API (`POST|GET /v2/check`, `GET /v2/languages`, `/v2/info`,
`/v2/configinfo`, `/v2/maxtextlength`) over the
sentence-level rules (`nlp_review.pipeline.review_fragment`), so LibreOffice's
"LanguageTool Remote", LTeX, browser add-ons and `language_tool_python` pointed at this
server show our typo and format findings inline.

Offsets and lengths are UTF-16 code units, as LanguageTool (Java) counts them; findings
map back to the request text through the fragment's source map, so normalisation (CR,
zero-width characters) never shifts a match. Categories use LanguageTool's ids (TYPOS is
red in LibreOffice, STYLE blue, the rest orange).
"""
from __future__ import annotations

import bisect
import json
import urllib.parse
from typing import Optional

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from nlp_review import __version__

from .config import Settings
from .errors import ServiceError

# our category → (LT category id, LT category name, ITS issue type)
LT_CATEGORIES = {
    "typo": ("TYPOS", "错别字", "misspelling"),
    "format": ("TYPOGRAPHY", "格式与标点", "typographical"),
    "boilerplate": ("STYLE", "套话雷同", "style"),
    "contradiction": ("SEMANTICS", "前后矛盾", "inconsistency"),
    "missing_element": ("MISC", "要素缺失", "uncategorized"),
    "structure": ("MISC", "结构", "uncategorized"),
    "table_identity": ("MISC", "表格勾稽", "inconsistency"),
}
LANGUAGES = [{"name": "Chinese", "code": "zh", "longCode": "zh-CN"}]
ACCEPTED_LANGUAGES = {"zh", "zh-cn", "zh-hans", "zh-hans-cn", "auto"}
CONTEXT_CHARS = 40


def utf16_prefix(s: str) -> list[int]:
    """out[i] = UTF-16 code units in s[:i]."""
    out = [0] * (len(s) + 1)
    n = 0
    for i, ch in enumerate(s):
        n += 2 if ord(ch) > 0xFFFF else 1
        out[i + 1] = n
    return out


def text_from_data(data: str) -> tuple[str, list[int], str]:
    """LanguageTool's `data` JSON → (text to check, its offsets in the original, original).

    Markup items count in the original offsets but are checked as their `interpretAs`."""
    try:
        obj = json.loads(data)
    except (json.JSONDecodeError, RecursionError):
        raise ServiceError(400, "invalid_data", "参数 data 不是有效的 JSON。")
    if not isinstance(obj, dict):
        raise ServiceError(400, "invalid_data", "参数 data 应为 JSON 对象（含 text 或 annotation）。")
    if isinstance(obj.get("text"), str):
        t = obj["text"]
        return t, list(range(len(t) + 1)), t
    items = obj.get("annotation")
    if not isinstance(items, list):
        raise ServiceError(400, "invalid_data", "参数 data 应含 text 或 annotation 列表。")
    check, mapping, original = [], [], []
    pos = 0
    for it in items:
        if not isinstance(it, dict):
            raise ServiceError(400, "invalid_data", "annotation 的每一项都应为对象。")
        if isinstance(it.get("text"), str):
            for k, ch in enumerate(it["text"]):
                check.append(ch)
                mapping.append(pos + k)
            original.append(it["text"])
            pos += len(it["text"])
        elif isinstance(it.get("markup"), str):
            interp = it.get("interpretAs") if isinstance(it.get("interpretAs"), str) else ""
            for ch in interp:
                check.append(ch)
                mapping.append(pos)
            original.append(it["markup"])
            pos += len(it["markup"])
        else:
            raise ServiceError(400, "invalid_data", "annotation 的每一项应含 text 或 markup。")
    mapping.append(pos)
    return "".join(check), mapping, "".join(original)


def _split(v: Optional[str]) -> set[str]:
    return {x.strip() for x in (v or "").split(",") if x.strip()}


def check(text: str, *, mapping: list[int] | None = None, original: str | None = None,
          disabled_rules: set[str] = frozenset(), enabled_rules: set[str] = frozenset(),
          enabled_only: bool = False, disabled_categories: set[str] = frozenset(),
          enabled_categories: set[str] = frozenset()) -> dict:
    """Run the sentence-level rules on `text` and answer in LanguageTool's shape."""
    from nlp_review.checks.registry import load_rules, resolve
    from nlp_review.pipeline import Options, review_fragment

    disabled_rules, enabled_rules = resolve(disabled_rules), resolve(enabled_rules)  # old ids still work
    original = text if original is None else original
    mapping = mapping if mapping is not None else list(range(len(text) + 1))
    lines = text.split("\n")
    line_starts, pos = [], 0
    for ln in lines:
        line_starts.append(pos)
        pos += len(ln) + 1
    doc = review_fragment(text, Options(disabled_rules=frozenset(disabled_rules))) if text.strip() else None
    u16 = utf16_prefix(original)

    def checked_index(doc_offset: int) -> int:
        """Doc offset → index in the checked text (a line break the builder added between
        lines maps to the input's own line break after the previous line)."""
        loc = doc.source_map.locate(doc_offset)
        if loc is not None:
            return line_starts[loc["line"] - 1] + loc["offset"]
        before = doc.source_map.segments_between(0, doc_offset)
        if not before:
            return 0
        seg = before[-1]
        return min(line_starts[seg.loc["line"] - 1] + seg.offset + (seg.end - seg.start), len(text))

    def to_input(doc_offset: int, end: bool) -> int:
        """Doc offset → offset in `original` (end=True: exclusive end after doc_offset-1)."""
        if not end:
            return mapping[checked_index(doc_offset)]
        if doc_offset <= 0:
            return 0
        return mapping[checked_index(doc_offset - 1)] + 1

    matches, sentence_ranges = [], []
    if doc is not None:
        sent_starts = [s.start for s in doc.sentences]
        for s in doc.sentences:
            sentence_ranges.append([u16[to_input(s.start, False)], u16[to_input(s.end, True)]])
        for f in doc.findings:
            lt_cat, cat_name, issue = LT_CATEGORIES.get(f.category, ("MISC", f.category, "uncategorized"))
            if f.rule in disabled_rules or lt_cat in disabled_categories or f.category in disabled_categories:
                continue
            if enabled_only and not (f.rule in enabled_rules or lt_cat in enabled_categories
                                     or f.category in enabled_categories):
                continue
            if f.end <= f.start:
                continue
            a, b = to_input(f.start, False), to_input(f.end, True)
            ca, cb = max(0, a - CONTEXT_CHARS), min(len(original), b + CONTEXT_CHARS)
            i = bisect.bisect_right(sent_starts, f.start) - 1
            sentence = doc.sentences[i].text(doc) if i >= 0 and doc.sentences[i].end >= f.end else f.quote
            rule = load_rules().get(f.rule)
            matches.append({
                "message": f.message,
                "shortMessage": cat_name,
                "replacements": [{"value": v} for v in f.suggestions],
                "offset": u16[a],
                "length": u16[b] - u16[a],
                "context": {"text": original[ca:cb], "offset": u16[a] - u16[ca], "length": u16[b] - u16[a]},
                "sentence": sentence,
                "type": {"typeName": "UnknownWord" if f.category == "typo" else "Other"},
                "rule": {"id": f.rule, "description": rule.description if rule else f.rule,
                         "issueType": issue, "category": {"id": lt_cat, "name": cat_name},
                         "confidence": f.confidence},
                "ignoreForIncompleteSentence": False,
                "contextForSureMatch": 0,
            })
    return {
        "software": software(),
        "warnings": {"incompleteResults": False},
        "language": {"name": "Chinese", "code": "zh-CN",
                     "detectedLanguage": {"name": "Chinese", "code": "zh-CN", "confidence": 1.0, "source": ""}},
        "matches": matches,
        "sentenceRanges": sentence_ranges,
    }


# The parameters /v2/check reads (LanguageTool's, the rest are accepted and ignored).
CHECK_PARAMS = ("text", "data", "language", "enabledRules", "disabledRules", "enabledCategories",
                "disabledCategories", "enabledOnly", "motherTongue", "level", "preferredVariants",
                "username", "apiKey", "dicts", "mode", "allowIncompleteResults", "useragent",
                "noopLanguages", "abtest", "textSessionId", "enableHiddenRules", "ruleValues")


def parse_form(body: bytes) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body (or query string) → its fields, as UTF-8.

    Two kinds of clients send this: ordinary ones %-encode the values; LibreOffice 7.4's
    LanguageTool checker writes `text=<the paragraph>&language=zh-CN` with the paragraph as
    raw UTF-8, not encoded at all. A body holding any byte ≥ 0x80 can only be the second
    kind, so there `%` and `+` are the text's own characters, and an `&` not followed by a
    known parameter name is part of the text. Starlette's own parser decodes both as
    Latin-1, which is why LibreOffice got no matches."""
    raw = any(b >= 0x80 for b in body)
    pieces: list[tuple[bytes, bytes]] = []
    for part in body.split(b"&"):
        key, eq, value = part.partition(b"=")
        if raw and pieces and (not eq or key.decode("latin-1") not in CHECK_PARAMS):
            k, v = pieces[-1]
            pieces[-1] = (k, v + b"&" + part)
            continue
        if key or eq:
            pieces.append((key, value))
    out: dict[str, str] = {}
    for key, value in pieces:
        if not raw:
            key, value = (urllib.parse.unquote_to_bytes(x.replace(b"+", b" ")) for x in (key, value))
        try:
            k, v = key.decode("utf-8"), value.decode("utf-8")
        except UnicodeDecodeError:
            raise ServiceError(400, "invalid_encoding", "请求参数不是有效的 UTF-8 编码文本。")
        out.setdefault(k, v)
    return out


async def request_params(request: Request) -> dict[str, str]:
    """The query string's fields, updated by the body's (form-urlencoded, raw or multipart)."""
    params = parse_form(request.scope.get("query_string") or b"")
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "multipart/form-data":
            form = await request.form()
            params.update({k: v for k, v in form.multi_items() if isinstance(v, str)})
        else:
            params.update(parse_form(await request.body()))
    return params


def _param_docs(where: str) -> list[dict]:
    return [{"name": n, "in": where, "required": False, "schema": {"type": "string"}}
            for n in CHECK_PARAMS[:8]]


POST_BODY = {"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "properties": {n: {"type": "string"} for n in CHECK_PARAMS[:8]}}}}}}


def software() -> dict:
    return {"name": "nlp-review (LanguageTool-compatible)", "version": __version__,
            "buildDate": None, "apiVersion": 1, "premium": False, "status": ""}


def config_info(max_chars: int) -> dict:
    """`/v2/configinfo` as LanguageTool serves it: the software, the length limit and every
    rule with its category (LanguageTool's ids, so clients group them as they do LT's)."""
    from nlp_review.checks.registry import load_rules

    rules = []
    for r in load_rules().values():
        lt_cat, cat_name, issue = LT_CATEGORIES.get(r.category, ("MISC", r.category, "uncategorized"))
        rules.append({"ruleId": r.id, "description": r.description, "categoryId": lt_cat,
                      "categoryName": cat_name, "locQualityIssueType": issue})
    return {"software": software(), "parameter": {"maxTextLength": max_chars}, "rules": rules}


def router(settings: Settings) -> APIRouter:
    r = APIRouter(tags=["LanguageTool 兼容接口"])

    async def _run(p: dict[str, str]):
        text, data = p.get("text"), p.get("data")
        if text is not None and data is not None:
            raise ServiceError(400, "invalid_request", "参数 text 与 data 只能提供其一。")
        if text is None and data is None:
            raise ServiceError(400, "invalid_request", "缺少参数 text 或 data。")
        language = p.get("language") or "auto"
        if language.strip().lower() not in ACCEPTED_LANGUAGES:
            raise ServiceError(400, "unsupported_language", f"不支持的语言：{language}。本服务只检查中文（zh-CN）。")
        if data is not None:
            checked, mapping, original = text_from_data(data)
        else:
            checked, mapping, original = text, None, text
        if len(original) > settings.lt_max_chars:
            raise ServiceError(413, "too_long", f"文本过长（{len(original)} 字），上限为 {settings.lt_max_chars} 字。")
        if any(0xD800 <= ord(c) <= 0xDFFF for c in checked):
            raise ServiceError(400, "invalid_text", "文本含有无效的 Unicode 代理字符。")
        return await run_in_threadpool(
            check, checked, mapping=mapping, original=original, disabled_rules=_split(p.get("disabledRules")),
            enabled_rules=_split(p.get("enabledRules")), enabled_only=(p.get("enabledOnly") or "").lower() == "true",
            disabled_categories=_split(p.get("disabledCategories")),
            enabled_categories=_split(p.get("enabledCategories")))

    @r.post("/v2/check", summary="检查一段文字（LanguageTool 兼容）", openapi_extra=POST_BODY)
    async def check_post(request: Request):
        return await _run(await request_params(request))

    @r.get("/v2/check", summary="检查一段文字（GET 形式，LanguageTool 兼容）",
           openapi_extra={"parameters": _param_docs("query")})
    async def check_get(request: Request):
        return await _run(await request_params(request))

    @r.get("/v2/languages", summary="支持的语言（LanguageTool 兼容）")
    def languages():
        return LANGUAGES

    @r.get("/v2/maxtextlength", summary="单次检查的最大字数")
    def max_text_length():
        return settings.lt_max_chars

    @r.get("/v2/info", summary="服务软件信息（LanguageTool 兼容）")
    def info():
        return {"software": software()}

    @r.get("/v2/configinfo", summary="规则清单及其类别（LanguageTool 兼容）")
    def configinfo(language: str = Query("zh-CN", description="语言代码，只支持中文（zh-CN）")):
        if language.strip().lower() not in ACCEPTED_LANGUAGES:
            raise ServiceError(400, "unsupported_language", f"不支持的语言：{language}。本服务只检查中文（zh-CN）。")
        return config_info(settings.lt_max_chars)

    return r
