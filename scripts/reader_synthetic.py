"""Span-selection questions made from unlabelled text, to pre-train the reader before SQuAD.

The reader learns from 8,164 labelled questions only. Pre-training on recurring spans (Ram et
al. 2021, "Few-Shot Question Answering by Pretraining Span Selection"; Dhingra et al. 2018,
cloze questions) gives it more to learn from without a labeller: a phrase that occurs twice in
a passage is blanked out in one sentence, that sentence becomes the question ("... what ...?"),
and the reader must find the phrase's other occurrences in the rest of the passage. The
question's own sentence is taken out of the passage, so the answer cannot be found by copying
the words around the blank.

Text used, all under licences that allow a shipped model: the paragraphs of the training
articles (SQuAD v1.1 dev articles 1-38 less the validation articles, CC BY-SA 4.0) and the
872-page handbook in `office-docs` (a US government trustee handbook, Apache 2.0 in the
Unstructured repository). Never the validation or evaluation articles.

Tried at stop 41 (`train_reader.py --span-pretrain-epochs 2`) and not shipped: the validation
split fell (app/models/reader/MODEL_CARD.md). `python scripts/reader_synthetic.py [N]` prints
N of the questions.
"""

from __future__ import annotations

import random
import re

from reader_data import SHARED_EVAL, Example

HANDBOOK = SHARED_EVAL / "office-docs" / "handbook-872p.docx"
WORD_RE = re.compile(r"\w+(?:[-.]\w+|,\d{3}\b)*")
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"(])")
YEAR_RE = re.compile(r"(1[0-9]{3}|20[0-9]{2})")
STOP = set(
    "s a an the of in on to and or but is was were are be been being by for with as at from that "
    "which what who whom whose when where why how did do does it its this these those he she they "
    "his her their them we our you your i me my not no so if than then there also can could may "
    "might must shall should will would has have had such any all each other more most some one "
    "into about over under after before between through during".split()
)
MAX_SPAN_WORDS = 6
MAX_OCCURRENCES = 4  # a phrase found more often than this is too generic to ask for
SPANS_PER_PASSAGE = 4
MIN_QUESTION_WORDS, MAX_QUESTION_WORDS = 6, 40  # a question is one sentence of ordinary length


def handbook_passages(target_words: int = 150) -> list[str]:
    """The handbook's paragraphs of prose, joined into passages of about target_words words."""
    import docx

    if not HANDBOOK.exists():
        return []
    paragraphs = [
        " ".join(p.text.split())
        for p in docx.Document(str(HANDBOOK)).paragraphs
        if len(p.text.split()) >= 12  # prose, not a heading or a list of citations
    ]
    passages, current = [], []
    for para in paragraphs:
        current.append(para)
        if sum(len(p.split()) for p in current) >= target_words:
            passages.append(" ".join(current))
            current = []
    return passages


def _askable(words: list[str]) -> bool:
    """A phrase worth asking for: no stopword at either end, not a lone short common word."""
    lower = [w.lower() for w in words]
    if lower[0] in STOP or lower[-1] in STOP:
        return False
    if len(words) == 1:
        w = words[0]
        if any(c.isdigit() for c in w):
            return len(w) >= 2
        return w[0].isupper() or (len(w) >= 7 and not w.endswith(("ly", "ing", "ed")))
    return True


def _wh_word(span: str) -> str:
    """The question word the blank is asked with, by the phrase's look."""
    if YEAR_RE.fullmatch(span):
        return "what year"
    if any(c.isdigit() for c in span):
        return "how much"
    return "what"


def recurring_spans(text: str) -> dict[str, list[tuple[int, int]]]:
    """Longest askable phrases (lower-cased) occurring 2..MAX_OCCURRENCES times, with char spans."""
    words = [(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(text)]
    found: dict[str, list[tuple[int, int]]] = {}
    for n in range(MAX_SPAN_WORDS, 0, -1):
        seen: dict[str, list[tuple[int, int]]] = {}
        for i in range(len(words) - n + 1):
            gram = words[i : i + n]
            if not _askable([w for w, _, _ in gram]):
                continue
            key = " ".join(w.lower() for w, _, _ in gram)
            seen.setdefault(key, []).append((gram[0][1], gram[-1][2]))
        for key, spans in seen.items():
            if not 2 <= len(spans) <= MAX_OCCURRENCES:
                continue
            inside_longer = any(
                key in longer and len(spans) == len(found[longer]) for longer in found
            )
            if not inside_longer:
                found[key] = spans
    return found


def span_questions(text: str, rng: random.Random, prefix: str) -> list[Example]:
    """Up to SPANS_PER_PASSAGE span-selection examples from one passage."""
    sentences = sentence_spans(text)
    spans = list(recurring_spans(text).items())
    rng.shuffle(spans)
    out = []
    for _phrase, occurrences in spans:
        if len(out) == SPANS_PER_PASSAGE:
            break
        q_start, q_end = rng.choice(occurrences)
        s_start, s_end = next(((a, b) for a, b in sentences if a <= q_start < b), (0, 0))
        others = [(a, b) for a, b in occurrences if not s_start <= a < s_end]
        sentence = text[s_start:s_end]
        n_words = len(WORD_RE.findall(sentence))
        if not others or s_end < q_end or not MIN_QUESTION_WORDS <= n_words <= MAX_QUESTION_WORDS:
            continue
        question = (
            text[s_start:q_start] + _wh_word(text[q_start:q_end]) + text[q_end:s_end]
        ).rstrip(" .!?") + "?"
        rest = text[:s_start] + text[s_end:]
        lead = len(rest) - len(rest.lstrip())
        context = rest.strip()
        starts = tuple(a - (s_end - s_start if a >= s_end else 0) - lead for a, _ in others)
        answers = tuple(text[a:b] for a, b in others)
        if any(context[s : s + len(a)] != a for s, a in zip(starts, answers, strict=True)):
            continue
        out.append(Example(f"{prefix}-{len(out)}", question, context, answers, starts, 0))
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split after . ! ? before a capital, digit or quote."""
    cuts = [(m.start(), m.end()) for m in SENTENCE_END_RE.finditer(text)]
    starts = [0] + [b for _, b in cuts]
    ends = [a for a, _ in cuts] + [len(text)]
    return list(zip(starts, ends, strict=True))


def synthetic_examples(
    train_articles: list[tuple[int, dict]], rng: random.Random, handbook: bool = True
) -> list[Example]:
    """Span-selection examples from the training articles' paragraphs and the handbook."""
    texts = [p["context"] for _, art in train_articles for p in art["paragraphs"]]
    if handbook:
        texts += handbook_passages()
    out: list[Example] = []
    for i, text in enumerate(texts):
        out += span_questions(text, rng, f"syn{i}")
    return out


if __name__ == "__main__":
    import sys

    from reader_data import N_TRAIN_ARTICLES, VALIDATION_ARTICLES, load_squad_articles

    val = {int(x) for x in VALIDATION_ARTICLES.split(",")}
    arts = [
        (i, a)
        for i, a in enumerate(load_squad_articles(), start=1)
        if i <= N_TRAIN_ARTICLES and i not in val
    ]
    exs = synthetic_examples(arts, random.Random(13))
    print(len(exs), "examples", file=sys.stderr)
    for e in random.Random(1).sample(exs, int(sys.argv[1]) if len(sys.argv) > 1 else 8):
        print("Q:", e.question, "\nA:", e.answers, "\nC:", e.context[:300], "\n")
