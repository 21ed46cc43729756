"""Questions that name a document: "Who saved the Teams chat?" asks about `teams_chat.docx`.

A file's name often says what it is, and its text seldom does: the chat never says "Teams chat",
so neither dense nor keyword search finds it for that question, and in a folder that also holds
ice-hockey tables, "Teams" finds those. So the words of every file's path are indexed too,
stemmed, and a question holding some of them names the few files that hold the most of them
(`named_sources`). When none of a named file's passages is among those the reader reads, its
best one joins them (`app.answer.retrieval.search`). Names without words (SQuAD's `00-001.txt`,
BEIR's numeric ids) never match, so the benchmarks cannot move.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from app.answer.stems import stem
from app.ingest.chunking import is_title
from app.records import Passage
from app.store.manifest import Manifest

NAMED_FILES = 3  # a question names at most this many files, else its words are too common
MIN_LETTERS = 3  # shorter words ("a", "of", "v2") name nothing
_WORD = re.compile(rf"[^\W\d_]{{{MIN_LETTERS},}}")
_SUFFIX = re.compile(r"\.[^./]*$")  # ".docx" of "notes/teams_chat.docx"
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")  # "TeamsChat" is "Teams Chat"
_CACHED = 8  # manifests whose name index is kept (one per collection in use)
# What a question calls a document of a kind whose text seldom says so: "the offsite email" (an
# e-mail's text never says "email"). Its passages count as holding these words wherever the
# question's words are looked for (app.answer.candidates.candidate_features).
KIND_WORDS = {".eml": "email e-mail mail message", ".msg": "email e-mail mail message"}
_KIND_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


@dataclass(frozen=True)
class NameIndex:
    files_of: dict[str, frozenset[str]]  # term -> the files whose path holds it
    files: int  # files indexed


_indexes: OrderedDict[int, tuple[Manifest, NameIndex]] = OrderedDict()
_lock = threading.Lock()


def named_sources(manifest: Manifest, words: list[str]) -> list[str]:
    """The files a question (its content words, `words`) names: those whose paths hold the
    most of its words, at least one, when they are at most NAMED_FILES. A word in more than
    half of the paths ("report" in a folder of reports) says nothing of any, and is not
    counted (as BM25 weighs such a word at nothing)."""
    wanted = {w for w in words if _WORD.fullmatch(w)}
    index = _name_index(manifest) if wanted else None
    if index is None or not index.files_of:  # nothing to match (BEIR's, SQuAD's names)
        return []
    common = max(NAMED_FILES, index.files // 2)
    held: Counter[str] = Counter()
    for term in {t for word in wanted for t in _terms(word)}:
        if len(files := index.files_of.get(term, ())) <= common:
            held.update(files)
    if not held:
        return []
    most = max(held.values())
    named = sorted(source for source, count in held.items() if count == most)
    return named if len(named) <= NAMED_FILES else []


def kind_of(source: str) -> str:
    """The words a question may call the document `source` by for its kind (KIND_WORDS), "" for
    a kind whose text says what it is."""
    found = _SUFFIX.search(source)
    return KIND_WORDS.get(found.group().lower(), "") if found else ""


def kind_words(passage: Passage) -> str:
    """The words a question may call `passage`'s document by for its kind (`kind_of`) that its
    text does not hold already, "" if none."""
    kind = kind_of(passage.source)
    held = _words_of(passage.text) if kind else frozenset()
    return " ".join(word for word in kind.split() if word not in held)


def record_words(passage: Passage) -> frozenset[str]:
    """The stems of the words that name `passage`'s document as a whole: its file name's, and
    its title's (the page's first line, when the passage starts the page). A label holding one
    of them ("Invoice date" in `invoice-0417.pdf`) is told from the others by its other words."""
    title = passage.text.split("\n", 1)[0] if passage.start == 0 else ""
    name = _SUFFIX.sub("", passage.source.rsplit("/", 1)[-1])
    return frozenset(_terms(name)) | frozenset(_terms(title) if is_title(title) else ())


@lru_cache(maxsize=64)  # a passage's text, for each of its candidate spans and cells
def _words_of(text: str) -> frozenset[str]:
    return frozenset(_KIND_WORD.findall(text.lower()))


def _terms(text: str) -> list[str]:
    """The stems of the words of `text` ("teams" is "team"; "TeamsChat" is two words)."""
    return [stem(word.lower()) for word in _WORD.findall(_CAMEL.sub(" ", text))]


def _name_index(manifest: Manifest) -> NameIndex:
    """The terms of the paths of `manifest`'s indexed files (built once per manifest)."""
    with _lock:
        cached = _indexes.get(id(manifest))
        if cached is not None and cached[0] is manifest:
            _indexes.move_to_end(id(manifest))
            return cached[1]
    sources = [source for source, entry in manifest.files.items() if entry.chunks]
    files_of: dict[str, set[str]] = {}
    for source in sources:
        for term in _terms(_SUFFIX.sub("", source)):
            files_of.setdefault(term, set()).add(source)
    index = NameIndex({t: frozenset(found) for t, found in files_of.items()}, len(sources))
    with _lock:
        _indexes[id(manifest)] = (manifest, index)
        while len(_indexes) > _CACHED:
            _indexes.popitem(last=False)
    return index
