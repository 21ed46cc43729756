"""The record every answer step passes along: a span the reader marked in a retrieved passage.

Ranking (app.answer.answering) makes them, citing (app.answer.citing) chooses among them, and
the evaluation scripts rescore them; so the record lives apart from all three.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.records import Passage, Span


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
