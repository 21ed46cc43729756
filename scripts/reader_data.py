"""The reader's training data: SQuAD questions with their paragraphs, split by the rule, the
no-answer examples, and the tokenized windows the model trains and predicts on.

The split (SQuAD v1.1 dev, 48 articles in file order): articles 1-38 train, tune and choose,
with VALIDATION_ARTICLES held out of training for every choice; articles 39-48 are the
evaluation split, only ever scored. No-answer examples: the SQuAD 2.0 "Normans" unanswerables
(article 3) and hard negatives built here, a question paired with a BM25-retrieved paragraph of
the same split that holds none of its gold answers.
"""

from __future__ import annotations

import collections
import json
import math
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch
from squad_metric import best_em_f1, normalize

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = ROOT.parent / "shared" / "eval"
SQUAD_ZIP = SHARED_EVAL / "squad-v1.1-dev" / "dev-v1.1.json.zip"
NORMANS_V2 = SHARED_EVAL / "squad-v2-normans" / "dev-v2.0-normans.json"
N_TRAIN_ARTICLES = 38  # articles 1-38 train/tune; 39-48 evaluation only
VALIDATION_ARTICLES = "9,14,20,30"  # 1-based, inside 1-38: held out of training for choices


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


def split_articles(val_articles: str = VALIDATION_ARTICLES) -> tuple[list, list, list]:
    """The (1-based number, article) pairs of the training, validation and evaluation splits:
    articles 1-38 less `val_articles` ("9,14,20,30"), those, and articles 39-48."""
    val_ids = {int(x) for x in val_articles.split(",")}
    assert val_ids <= set(range(1, N_TRAIN_ARTICLES + 1)) and 3 not in val_ids
    numbered = list(enumerate(load_squad_articles(), start=1))
    return (
        [(i, a) for i, a in numbered if i <= N_TRAIN_ARTICLES and i not in val_ids],
        [(i, a) for i, a in numbered if i in val_ids],
        [(i, a) for i, a in numbered if i > N_TRAIN_ARTICLES],
    )


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


def normans_halves() -> tuple[list[Example], list[Example]]:
    """The Normans unanswerables of its even paragraphs (training) and odd ones (validation)."""
    normans = load_normans_unanswerable()
    return [e for pi, e in normans if pi % 2 == 0], [e for pi, e in normans if pi % 2 == 1]


def built_negatives(
    splits: tuple[list, list],
    sizes: tuple[int, int],
    normans: tuple[list[Example], list[Example]],
    neg_ratio: float,
    rng: random.Random,
) -> tuple[list[Example], list[Example]]:
    """The "no answer" examples of the training and validation splits (`splits`, their
    articles, with `sizes` answerable questions each): hard negatives (`hard_negatives`), as
    many as `neg_ratio` of the training questions less its `normans`, and a quarter of the
    validation questions (at least 8), each followed by its split's Normans unanswerables."""
    (train_arts, val_arts), (n_train, n_val), (norm_train, norm_val) = splits, sizes, normans
    n_neg = max(0, int(neg_ratio * n_train) - len(norm_train))
    train_neg = hard_negatives(examples_of(train_arts), n_neg, rng, {i for i, _ in train_arts})
    val_neg = hard_negatives(examples_of(val_arts), n_val // 4, rng, {i for i, _ in val_arts})
    return train_neg + norm_train, val_neg[: max(8, n_val // 4)] + norm_val


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
        golds = [normalize(a) for a in e.answers]
        for i in ranked:
            ctx = paras[i][1]
            if ctx == e.context:
                continue
            nctx = normalize(ctx)
            if any(g and g in nctx for g in golds):
                continue
            out.append(Example(e.qid + "_neg", e.question, ctx, (), (), paras[i][0]))
            break
    return out


def em_f1(preds: dict[str, str], examples: list[Example]) -> tuple[float, float]:
    """Mean of max-over-gold EM and F1 (official v1.1 script semantics)."""
    scores = [best_em_f1(preds[e.qid], e.answers) for e in examples]
    return sum(em for em, _ in scores) / len(scores), sum(f1 for _, f1 in scores) / len(scores)


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
