"""SQuAD v1.1's official answer scoring, shared by the evaluations and the reader's training.

The official script normalises both answers (lower case; punctuation, the articles a, an and the,
and extra spaces removed), then counts exact match and token-overlap F1, each the best over the
question's gold answers.
"""

from __future__ import annotations

import collections
import re
import string

_PUNCTUATION = set(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize(text: str) -> str:
    """SQuAD v1.1's answer normalisation: lower case, no punctuation, articles or extra spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """`normalize(text)`, with the index in `text` of each character it keeps: where a
    normalised answer found in a normalised passage lies in the passage."""
    kept = [(ch, i) for i, c in enumerate(text) for ch in c.lower() if ch not in _PUNCTUATION]
    article = set()
    for match in _ARTICLES.finditer("".join(ch for ch, _ in kept)):
        article.update(range(match.start(), match.end()))
    out: list[tuple[str, int]] = []
    for k, (ch, i) in enumerate(kept):
        if k in article or (ch.isspace() and (not out or out[-1][0] == " ")):
            continue
        out.append((" " if ch.isspace() else ch, i))
    while out and out[-1][0] == " ":
        out.pop()
    return "".join(ch for ch, _ in out), [i for _, i in out]


def f1(prediction: str, gold: str) -> float:
    predicted, expected = normalize(prediction).split(), normalize(gold).split()
    common = sum((collections.Counter(predicted) & collections.Counter(expected)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def best_em_f1(prediction: str, answers: tuple[str, ...] | list[str]) -> tuple[float, float]:
    """Exact match and F1 of `prediction`, each against the gold answer it matches best."""
    em = max(float(normalize(prediction) == normalize(gold)) for gold in answers)
    return em, max(f1(prediction, gold) for gold in answers)
