"""The record every answer step passes along: a span the reader marked in a retrieved passage,
with the features its rank and the confidence read.

Ranking (app.answer.answering) makes them, citing (app.answer.citing) chooses among them, and
the evaluation scripts rescore them; so the record lives apart from all three.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.answer.file_names import kind_words
from app.answer.overlap import QueryIdf, keyword_share, overlap, words_around
from app.records import Passage, Span

NEAR_WORDS = 3  # the words either side of a span that its "near" feature reads
OVERLAP_CHARS = 200  # the question's words are looked for this far either side of the span


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    rank: int  # the passage's place in the retrieval ranking, from 0
    span: Span
    features: dict[str, float]
    score: float

    @property
    def page_start(self) -> int:
        return self.passage.start + self.span.start

    @property
    def page_end(self) -> int:
        return self.passage.start + self.span.end

    @property
    def text(self) -> str:
        return self.passage.text[self.span.start : self.span.end]


def candidate_features(
    span: Span, rank: int, passage: Passage, idf: dict[str, float], shape: str = ""
) -> dict[str, float]:
    """What the confidence reads: the reader's margin over "no answer", the passage's rank and
    similarity, how much of the question's information (IDF mass) stands near the span, and
    how fully the passage holds the question's keywords (`keyword_share`: a plain BM25 score
    grows with the question's length and the corpus, this share does not). The span holds
    `shape`, the words of the shape the question asks for (`shapes.shape_words`): a passage
    that gives a phone number seldom says "phone number"."""
    # "the offsite email": an e-mail seldom says "email"
    kind = " ".join(words for words in (kind_words(passage), shape) if words)
    near = passage.text[max(0, span.start - OVERLAP_CHARS) : span.end + OVERLAP_CHARS]
    text = f"{kind}\n{passage.text}" if kind else passage.text
    beside = words_around(passage.text, span.start, span.end, NEAR_WORDS)
    return {
        "margin": span.score - span.no_answer,
        "rank": 1.0 / (rank + 1),
        "dense": passage.dense_score or 0.0,
        "overlap": overlap(idf, f"{kind}\n{near}" if kind else near),
        "keyword": keyword_share(idf, text) if isinstance(idf, QueryIdf) else 0.0,
        "near": overlap(idf, beside),
    }
