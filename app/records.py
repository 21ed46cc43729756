"""The plain records every stage passes on: pages, chunks, passages, answers and citations.

They live below all stages so that none has to import another stage to name what it hands over:
ingest makes `Page`s and `Chunk`s, the store keeps them and returns `StoredChunk`s, retrieval
turns those into `Passage`s, and answering into an `Answer` with `Citation`s, which the API and
the UI only serialise. Records hold data and check it; the logic lives in the stages.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

# Sentences of a chunk or passage: (start, end) page offsets, found at ingest
# (app.ingest.sentences); None where an older index did not store them.
Sentences = tuple[tuple[int, int], ...] | None


@dataclass(frozen=True)
class Page:
    """The extracted text of one page; every offset docqa reports points into `text`."""

    number: int | None  # 1-based page of a PDF, slide, sheet block...; None for one-page files
    text: str
    label: str | None = None  # how a citation names the page: "slide 3", "sheet Budget, rows 2-41"
    ocr: bool = False  # the text was read from an image by OCR and may differ from it
    # Where OCR read only parts of the page (pictures in a Word file or on a slide), the
    # (start, end) ranges of `text` it filled; None when it read the whole page (a scan).
    ocr_spans: tuple[tuple[int, int], ...] | None = None


@dataclass(frozen=True)
class Chunk:
    """A piece of one page; `text == page_text[start:end]`."""

    source: str
    page: int | None
    start: int
    end: int
    text: str
    sentences: Sentences = field(default=None, kw_only=True)


@dataclass(frozen=True)
class StoredChunk(Chunk):
    """A chunk as the index returns it, under its id in the vector and keyword indexes."""

    id: int


@dataclass(frozen=True)
class Passage:
    id: int
    source: str
    page: int | None
    start: int  # character offsets of `text` in the page text
    end: int
    text: str
    score: float  # fused score in hybrid mode, else the single ranking's score
    dense_score: float | None = None  # cosine similarity to the question
    keyword_score: float | None = None  # BM25
    sentences: Sentences = None
    location: str | None = None  # where in the file, as a citation names it: "slide 2"


@dataclass(frozen=True)
class Span:
    """A candidate answer the reader found in one of the passages it read."""

    passage: int  # which passage, by its position in the list read
    start: int  # character offsets in that passage's text
    end: int
    score: float  # the reader's start + end score (a logit sum: higher is better)
    no_answer: float  # the reader's "no answer" score for the window the span was read in


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    page: int | None
    snippet: str
    answer_start: int  # offsets of the answer inside `snippet`
    answer_end: int
    source_start: int  # offsets of the answer inside the page's extracted text
    source_end: int
    score: float
    location: str | None = None  # where in the file: "page 3", "slide 2", "sheet Fees, rows 1-40"
    ocr: bool = False  # the answer's text was read by OCR, so it may differ from the image


@dataclass
class Answer:
    question: str
    answer: str | None
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    sentence: str | None = None  # the whole answering sentence(s) that `answer` lies in
    message: str | None = None


def pack_sentences(chunk: Chunk) -> str | None:
    """A chunk's sentences as stores keep them: offsets from the chunk's start, spaced."""
    if chunk.sentences is None:
        return None
    return " ".join(f"{start - chunk.start} {end - chunk.start}" for start, end in chunk.sentences)


def unpack_sentences(packed: str | None, chunk_start: int) -> Sentences:
    """The sentences `pack_sentences` stored for a chunk starting at `chunk_start`."""
    if packed is None:
        return None
    offsets = [chunk_start + int(n) for n in packed.split()]
    return tuple(zip(offsets[::2], offsets[1::2], strict=True))


def source_key(source: str) -> int:
    """A stable, non-negative 63-bit integer for a source name, the same on every machine.

    It decides which shard a file belongs to, and the Milvus store keys a file's rows with it.
    """
    encoded = json.dumps(["source", source], ensure_ascii=False, separators=(",", ":")).encode()
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "big") >> 1


@dataclass(frozen=True)
class Shard:
    """Part `index` of `count` disjoint parts of a corpus, so several machines can share an
    ingest. A file's part depends on its source name only, whatever machine asks."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count:
            raise ValueError(f"--shard takes i/N with 1 <= i <= N, like 1/3; not {self}")

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @classmethod
    def parse(cls, text: str) -> Shard:
        """`"2/3"` -> Shard(2, 3): the second of three parts."""
        found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not found or not 1 <= int(found[1]) <= int(found[2]):
            raise ValueError(f"--shard takes i/N with 1 <= i <= N, like 1/3; not {text!r}")
        return cls(int(found[1]), int(found[2]))

    def holds_key(self, key: int) -> bool:
        """Whether the source whose `source_key` is `key` belongs to this part."""
        return key % self.count == self.index - 1

    def holds(self, source: str) -> bool:
        return self.holds_key(source_key(source))


def in_shard(source: str, shard: Shard | None) -> bool:
    """Whether `source` belongs to `shard`; every source belongs to None, the whole corpus."""
    return shard is None or shard.holds(source)
