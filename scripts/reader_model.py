"""The reader model as the training builds, stores, reloads and scores it: BERT's question
answering head on the bundled all-MiniLM-L6-v2, and the best span of each question by its
start and end logits, with the no-answer score."""

from __future__ import annotations

import random
from pathlib import Path

import torch
from reader_data import Example, Feature, collate, featurize
from safetensors.torch import load_file
from transformers import AutoModelForQuestionAnswering
from transformers.utils import logging as hf_logging


def build_model(base: Path, frozen: str) -> torch.nn.Module:
    """BERT QA model on the base weights, parameters under the `frozen` prefix not trained."""
    hf_logging.set_verbosity_error()
    model = AutoModelForQuestionAnswering.from_pretrained(str(base))
    for name, p in model.named_parameters():
        p.requires_grad = not name.startswith(frozen)
    return model


def marginal_span_loss(out, batch: list[Feature], attention_mask: torch.Tensor) -> torch.Tensor:
    """-log P(start is some gold start) - log P(end is some gold end), halved like HF's loss.

    With one gold span it is exactly the usual cross-entropy (padding masked out).
    """
    pad = attention_mask == 0
    losses = []
    for logits, side in ((out.start_logits, 0), (out.end_logits, 1)):
        logp = logits.float().masked_fill(pad, -1e4).log_softmax(-1)
        per_row = [
            -torch.logsumexp(logp[j, sorted({g[side] for g in f.golds})], 0)
            for j, f in enumerate(batch)
        ]
        losses.append(torch.stack(per_row).mean())
    return (losses[0] + losses[1]) / 2


def stored_state(model: torch.nn.Module, frozen: str) -> dict[str, torch.Tensor]:
    """Parameters the shipped file must hold: everything trained (not the frozen embeddings)."""
    return {
        k: v.detach().to(torch.float16).contiguous()
        for k, v in model.state_dict().items()
        if not k.startswith(frozen) and not k.startswith("bert.pooler")
    }


def load_shipped(out_dir: Path, base: Path, frozen: str) -> torch.nn.Module:
    """Base package weights + stored weights -> the shipped model (the check for the export)."""
    model = build_model(base, frozen)
    stored = {k: v.float() for k, v in load_file(str(out_dir / "reader.safetensors")).items()}
    missing, unexpected = model.load_state_dict(stored, strict=False)
    assert not unexpected, unexpected
    assert all(k.startswith((frozen, "bert.pooler")) for k in missing), missing
    return model.eval()


def autocast_ctx(bf16: bool):
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16)


@torch.inference_mode()
def predict(
    model: torch.nn.Module,
    tok,
    examples: list[Example],
    max_len: int,
    stride: int,
    max_answer_tokens: int,
    bf16: bool,
    batch_size: int = 64,
) -> dict[str, tuple[str, float, float]]:
    """Best span per example over all windows: qid -> (text, span score, no-answer score).

    Span score is start+end logit; the no-answer score is the [CLS] start+end logit, taken as the
    minimum over the example's windows (SQuAD 2.0 convention). Spans are capped in length.
    """
    model.eval()
    feats = featurize(tok, examples, max_len, stride, train=False, rng=random.Random(0))
    order = sorted(range(len(feats)), key=lambda i: len(feats[i].input_ids))
    best: dict[int, tuple[float, int, int]] = {}
    null: dict[int, float] = {}
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        batch = [feats[i] for i in idx]
        with autocast_ctx(bf16):
            out = model(**collate(batch))
        s_all, e_all = out.start_logits.float(), out.end_logits.float()
        for j, f in enumerate(batch):
            n = len(f.input_ids)
            s, e = s_all[j, :n], e_all[j, :n]
            mask = torch.tensor([o is None for o in f.offsets])
            s = s.masked_fill(mask, -1e4)
            e = e.masked_fill(mask, -1e4)
            scores = s[:, None] + e[None, :]
            band = torch.triu(torch.ones(n, n, dtype=torch.bool)) & ~torch.triu(
                torch.ones(n, n, dtype=torch.bool), diagonal=max_answer_tokens
            )
            scores = scores.masked_fill(~band, -1e9)
            k = int(scores.argmax())
            si, ei = divmod(k, n)
            sc = float(scores[si, ei])
            c0, c1 = f.offsets[si][0], f.offsets[ei][1]
            if f.ex_index not in best or sc > best[f.ex_index][0]:
                best[f.ex_index] = (sc, c0, c1)
            nl = float(s_all[j, 0] + e_all[j, 0])
            null[f.ex_index] = min(nl, null.get(f.ex_index, float("inf")))
    res = {}
    for i, ex in enumerate(examples):
        sc, c0, c1 = best[i]
        res[ex.qid] = (ex.context[c0:c1].strip(), sc, null[i])
    return res


def no_answer_eval(
    pos: dict[str, tuple[str, float, float]],
    neg: dict[str, tuple[str, float, float]],
    bias: float | None = None,
) -> tuple[float, float]:
    """Accuracy of "null - best_span > bias => no answer" on answerable + unanswerable pairs.

    With bias None, pick the bias that maximises accuracy (only ever called on validation data).
    Returns (bias, accuracy).
    """
    items = [(v[2] - v[1], 0) for v in pos.values()] + [(v[2] - v[1], 1) for v in neg.values()]

    def acc(t: float) -> float:
        return sum((d > t) == bool(y) for d, y in items) / len(items)

    if bias is None:
        cands = sorted({d for d, _ in items})
        cands = [c - 1e-6 for c in cands] + [max(cands) + 1]
        bias = max(cands, key=acc)
    return bias, acc(bias)
