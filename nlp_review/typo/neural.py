"""The neural typo checker, load + predict: the small Chinese ELECTRA encoder (3 layers,
hidden 256, embedding 128, bert-base-chinese vocabulary) fine-tuned as a detector/corrector.

- detection head: per character, P(error);
- correction head: hidden → embedding space, scored against the (tied) word embeddings,
  evaluated only over the confusion candidates of the character (plus the character itself).

Its trainer is `nlp_review/training/typo_neural.py` ("typo_neural"), which writes
`model.pt` (fp16 state dict), `config.json` (how it was trained, the inference settings and
the ELECTRA architecture under "architecture"), `vocab.txt`, `confusion.json.xz` and
`params.json`. torch and transformers are the optional `[train]` extra
(requirements-train.txt): this model does not ship, and reviewing never imports them.
"""
from __future__ import annotations

import json
import lzma
import os
import re
from pathlib import Path

from ..errors import ModelError
from .confusion import calibrated

# Inference windows (the training piece length) and their overlap; config.json may set them.
INFERENCE = {"window": 64, "margin": 8}
CJK = re.compile("[\u4e00-\u9fff]")


def model_class():
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


# ---- the checker ------------------------------------------------------------------
class NeuralChecker:
    def __init__(self, model, vocab: Vocab, conf: dict[int, list[int]], params: dict):
        self.model = model
        self.vocab = vocab
        self.conf = conf
        self.threshold = float(params.get("threshold", 0.5))
        self.calibration = [tuple(x) for x in params.get("calibration", [])]
        self.combo = params.get("combo", {})  # how engine "stat+neural" combines it with the LM
        self.settings = dict(INFERENCE)

    @classmethod
    def load(cls, d: Path) -> "NeuralChecker":
        try:
            import torch
            import transformers  # noqa: F401
        except ImportError as e:
            raise ModelError("神经网络错别字模型需要可选依赖 torch 和 transformers：请安装 `[train]` 附加依赖"
                             "（`make setup-train` 或 pip install -r requirements-train.txt）。") from e
        torch.set_num_threads(max(1, int(os.environ.get("NLP_REVIEW_TORCH_THREADS", "1"))))
        from transformers import ElectraConfig

        from ..models.store import inference_settings, model_config

        cfg = model_config(d)
        config = ElectraConfig(**cfg.get("architecture", cfg))
        model = model_class()(config)
        state = torch.load(d / "model.pt", map_location="cpu", weights_only=True)
        model.load_state_dict({k: v.float() for k, v in state.items()})
        model.eval()
        vocab = Vocab.load(d / "vocab.txt")
        params = json.loads((d / "params.json").read_text(encoding="utf-8")) if (d / "params.json").is_file() else {}
        checker = cls(model, vocab, load_confusion_from(d, vocab), params)
        checker.settings = inference_settings(d, INFERENCE)
        return checker

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
        Long sentences run in windows of `window` characters overlapping by 2×`margin`; each
        character is scored by the window where it is farthest from an edge."""
        import torch

        window, margin = self.settings["window"], self.settings["margin"]
        probs_out = [[0.0] * len(s) for s in sents]
        props_out = [[] for _ in sents]
        pieces = []  # (sentence index, offset, text, first kept, end kept) — kept relative to the piece
        for k, s in enumerate(sents):
            off = 0
            while True:
                last = off + window >= len(s)
                pieces.append((k, off, s[off:off + window], 0 if off == 0 else margin,
                               window if last else window - margin))
                if last:
                    break
                off += window - 2 * margin
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
                        if cands and CJK.match(t[j]):
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
