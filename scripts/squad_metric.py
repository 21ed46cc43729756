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


def normalize(text: str) -> str:
    """SQuAD v1.1's answer normalisation: lower case, no punctuation, articles or extra spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


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
