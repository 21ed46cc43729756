"""Candidates -> what is cited: the best distinct answers, each inside its sentence.

A candidate (app.answer.candidates.Candidate) is a span the reader marked in a passage; these
choose which of them are cited and where the sentence around each starts and ends, as page
offsets into the text stored in the index.
"""

from __future__ import annotations

import dataclasses
import re

from app.answer import cells
from app.answer.candidates import Candidate
from app.answer.label_lines import line_around
from app.answer.overlap import found_in
from app.answer.sentences import Sentence, passage_sentences, stating_sentence
from app.ingest.chunking import trim_span


def distinct(candidates: list[Candidate], most: int) -> list[Candidate]:
    """The best candidates with different answers (by their words), at most `most`, none
    in a copy of a sentence cited from another place (a document saved twice, or an edition
    of it, would otherwise show one sentence as every citation)."""
    chosen: list[Candidate] = []
    seen: set[str] = set()
    cited_at: dict[str, tuple] = {}  # a cited sentence's words -> where it was cited
    sentences: dict[int, list[Sentence]] = {}  # of each passage, found once
    for candidate in candidates:
        key = _words(candidate.text)
        passage = candidate.passage
        if passage.id not in sentences:
            sentences[passage.id] = passage_sentences([passage])
        start, end = sentence_around(candidate, sentences[passage.id])
        sentence = _words(passage.text[start - passage.start : end - passage.start])
        place = (passage.source, passage.page, start)
        if (
            key in seen
            or cited_at.get(sentence, place) != place
            or any(_overlaps(candidate, other) for other in chosen)
        ):
            continue
        seen.add(key)
        cited_at[sentence] = place
        chosen.append(candidate)
        if len(chosen) == most:
            break
    return chosen


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _overlaps(a: Candidate, b: Candidate) -> bool:
    same_page = (a.passage.source, a.passage.page) == (b.passage.source, b.passage.page)
    return same_page and a.page_start < b.page_end and b.page_start < a.page_end


def sentence_around(candidate: Candidate, sentences: list[Sentence]) -> tuple[int, int]:
    """Page offsets of the sentence(s) holding the span; its line when no sentence does (a
    heading or a table cell, which sentence splitting leaves out)."""
    passage = candidate.passage
    holding = [
        s
        for s in sentences
        if s.passage.id == passage.id
        and s.start < candidate.page_end
        and candidate.page_start < s.end
    ]
    if holding:
        start = min(candidate.page_start, *(s.start for s in holding))
        return start, max(candidate.page_end, *(s.end for s in holding))
    text = passage.text
    start, end = trim_span(text, *line_around(text, candidate.span.start, candidate.span.end))
    return passage.start + min(start, candidate.span.start), passage.start + max(
        end, candidate.span.end
    )


def statements(
    candidates: list[Candidate], sentences: list[Sentence], idf: dict[str, float]
) -> list[Candidate]:
    """Each candidate widened to the sentence of its passage that states the question's
    words (`stating_sentence`), each once; a span of several lines stays as it is. A candidate
    in a table row or a label's line is stated by its line (`cells.field_line`) where the
    sentence found runs past the line ("Tuesday: Closed", not the opening hours of the week,
    which a form's lines without a full stop read as one sentence), or lies elsewhere and
    lacks a word of the question that the line holds: the line names the thing asked about
    ("| Turf and soil | No - please take to a household recycling centre |", not "Please
    stick it on the lid of your brown bin.", for "can I put turf in my brown bin")."""
    widened: dict[tuple[int, int, int], Candidate] = {}
    for candidate in candidates:
        if "\n" in candidate.text:  # a list of steps (app.answer.steps), more than a sentence
            widened.setdefault((candidate.passage.id, candidate.page_start, -1), candidate)
            continue
        around = sentence_around(candidate, sentences)
        start, end = stating_sentence(candidate.passage, around, sentences, idf)
        at, text = candidate.passage.start, candidate.passage.text
        line = cells.field_line(text, candidate.span.start)
        stated = text[start - at : end - at]
        if line is not None and (
            "\n" in stated
            or (
                not line[0] <= start - at < end - at <= line[1]
                and _names_more(idf, text[line[0] : line[1]], stated)
            )
        ):
            start, end = line[0] + at, line[1] + at
        span = dataclasses.replace(candidate.span, start=start - at, end=end - at)
        widened.setdefault(
            (candidate.passage.id, start, end), dataclasses.replace(candidate, span=span)
        )
    return list(widened.values())


def _names_more(idf: dict[str, float], text: str, other: str) -> bool:
    """Whether `text` holds a word of the question (a key of `idf`) that `other` lacks."""
    return bool(set(found_in(idf, text)) - set(found_in(idf, other)))
