"""How corpus/typo/labelled_errors.tsv was made (run once; kept for provenance):

    .venv/bin/python corpus/typo/make_labelled_errors.py > corpus/typo/labelled_errors.tsv

Error-free sentences of the report excerpts and seeds (bench/typo/data/clean_sentences.txt
minus clean_exclusions.tsv) are corrupted, one error per sentence, by the kinds reviewers
find in real reports and that a single-character checker cannot express:

- omission: a character left out of a fixed domain term (主动公开政府信息 → 主动公政府信息) — the
  terms are the hand-written list DOMAIN_TERMS below, not the checker's phrase inventory;
- doubling: a character, a word or a term typed twice (申请申请), or a first attempt left
  before its fix (可以通过 → 可通过可以通过);
- stray: one character typed inside a term (政府信息务公开);
- variant: a recommended form replaced by its variant of 《第一批异形词整理表》 (答复 → 答覆);
- measure: applications counted in 条 instead of 件 (收到申请12件 → 12条).

Rows: kind, corrupted sentence, correct sentence, start, end (the span of the corrupted
sentence to replace), replacement. Every row was read afterwards; rows whose corrupted
sentence could still be read as correct were dropped (REJECTED below).
"""
from __future__ import annotations

import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DOMAIN_TERMS = [
    "政府信息公开", "主动公开", "依申请公开", "政务公开", "年度报告", "办理时限", "法定期限", "信息处理费",
    "行政复议", "行政诉讼", "门户网站", "政府网站", "政务新媒体", "微信公众号", "规范性文件", "保密审查",
    "公开指南", "公开目录", "社会关切", "政策解读", "决策部署", "工作要点", "统计期限", "政务服务",
    "监督保障", "人大代表建议", "政协委员提案", "信息发布", "重点领域", "营商环境", "工作机制",
    "新闻发布会", "办结率", "习近平新时代中国特色社会主义思想", "党的二十大", "以公开为常态",
    "不公开为例外", "知情权", "参与权", "监督权", "政府信息管理", "公开平台", "依法依规", "按时答复",
    "申请人", "工作人员", "考核评议", "培训", "责任追究", "公开栏目", "政策文件", "工作动态",
]
COMMON = "的一了是在和有不这为对以及等中上可与要将"
VARIANTS = {"答复": "答覆", "计划": "计画", "订阅": "定阅", "分内": "份内", "纪念": "记念", "谋划": "谋画",
            "人才": "人材", "色彩": "色采", "思维": "思惟", "透彻": "透澈", "崭新": "斩新", "仔细": "子细"}
N = {"omission": 80, "doubling": 60, "stray": 50, "variant": 45, "measure": 30}
REJECTED = {  # read and dropped: still correct, or not the kind's error
    '将公开透明作为我乡工作的基本要求,坚持公开为常态、不公开为例外,党委会议讨论决定的事项、制定下发的文件,除依法需要保密的以外及时进行公开;拟制公文时,明确主动公开、脱密后公开、申请公开、删减后公开、不予公开等公开属性,随公文一并报负责人审签;脱密后公开、依申请公开、删减后公开和不予公开的,依法依规说明理由。',
    '本报告内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项等六部份内容。',
    '2024年收到依申请公开来信1条次,且所申请公开信息不属于本单位的公开范围。',
    '2021年,阿城区机关后勤服务中心收到依申请需要公开的信息0条。',
}


def rows(sents: list[str], rng: random.Random):
    used: set[str] = set()
    out = []

    def pick(pred):
        cands = [s for s in sents if s not in used and pred(s)]
        if not cands:
            return None
        s = rng.choice(cands)
        used.add(s)
        return s

    def emit(kind, s, a, b, new):
        bad = s[:a] + new + s[b:]
        # the repair, in the corrupted sentence's offsets
        out.append((kind, bad, s, a, a + len(new), s[a:b]))

    terms = [t for t in DOMAIN_TERMS if len(t) >= 3]
    for _ in range(N["omission"]):
        s = pick(lambda x: any(t in x for t in terms))
        if s is None:
            break
        t = rng.choice([t for t in terms if t in s])
        i = s.find(t)
        k = rng.randrange(1, len(t) - 1) if rng.random() < 0.7 else rng.randrange(len(t))
        emit("omission", s, i + k, i + k + 1, "")
    for _ in range(N["doubling"]):
        s = pick(lambda x: any(t in x for t in DOMAIN_TERMS))
        if s is None:
            break
        t = rng.choice([t for t in DOMAIN_TERMS if t in s])
        i = s.find(t)
        r = rng.random()
        if r < 0.35:  # a character typed twice
            k = rng.randrange(len(t))
            emit("doubling", s, i + k + 1, i + k + 1, t[k])
        elif r < 0.75:  # the word or a two-character piece of it twice
            a = rng.randrange(0, max(1, len(t) - 1))
            piece = t if len(t) <= 4 else t[a:a + 2]
            j = s.find(piece, i)
            emit("doubling", s, j + len(piece), j + len(piece), piece)
        else:  # a first attempt left before its fix
            if len(t) < 3:
                continue
            k = rng.randrange(1, len(t) - 1)
            emit("doubling", s, i, i, t[:k] + t[k + 1:])
    for _ in range(N["stray"]):
        s = pick(lambda x: any(t in x for t in terms))
        if s is None:
            break
        t = rng.choice([t for t in terms if t in s])
        i = s.find(t)
        k = rng.randrange(1, len(t))
        pool = COMMON if rng.random() < 0.5 else "".join(DOMAIN_TERMS)
        c = rng.choice([ch for ch in pool if ch not in (t[k - 1], t[k])])
        emit("stray", s, i + k, i + k, c)
    for _ in range(N["variant"]):
        s = pick(lambda x: any(v in x for v in VARIANTS))
        if s is None:
            break
        v = rng.choice([v for v in VARIANTS if v in s])
        i = s.find(v)
        emit("variant", s, i, i + len(v), VARIANTS[v])
    rx = re.compile(r"申请[^，。；]{0,12}?\d+\s*(件)|\d+\s*(件)(?:政府信息公开|信息公开)?申请")
    for _ in range(N["measure"]):
        s = pick(lambda x: rx.search(x) is not None)
        if s is None:
            break
        m = rx.search(s)
        g = 1 if m.group(1) else 2
        emit("measure", s, m.start(g), m.end(g), "条")
    return out


def main() -> None:
    from nlp_review.training.typo_evaluate import load_clean

    sents = [s for s in load_clean() if len(s) >= 10]
    rng = random.Random(2024)
    print("# kind\tcorrupted sentence\tcorrect sentence\tstart\tend\treplacement  "
          "(made by corpus/typo/make_labelled_errors.py from the clean report sentences; see its docstring)")
    for kind, bad, good, a, b, rep in rows(sents, rng):
        if bad in REJECTED or bad == good:
            continue
        print(f"{kind}\t{bad}\t{good}\t{a}\t{b}\t{rep}")


if __name__ == "__main__":
    main()
