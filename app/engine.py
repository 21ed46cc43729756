"""The loaded model and index, shared by the CLI, the HTTP API and the chat UI.

Loading is explicit and happens once; after that every call checks whether an ingest published a
new index version (one small file read) and switches to it between requests, so a running server
follows updates without a restart and no request ever sees a half-built index.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import threading
from pathlib import Path

from app.answer.answering import ask
from app.answer.retrieval import Mode, search
from app.ingest.formats.text import LIGATURES
from app.models.embedder import load_embedder
from app.models.reader import SpanReader, load_reader, resolve_runtime
from app.records import Answer, Citation, Passage
from app.settings import Settings
from app.store.backends import backend
from app.store.collections import DEFAULT, Collections, collection_settings
from app.store.filters import Filter, restrict
from app.store.folder import IndexReader
from app.store.manifest import Manifest, StoreError


class Engine:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._reader_runtime = resolve_runtime(settings.reader_backend)  # checked before use
        self.embedder = load_embedder(settings.model, settings.backend, settings.model_cache)
        self._expected = Manifest(
            model=self.embedder.name,
            dim=self.embedder.dim,
            chunk_tokens=settings.chunk_tokens,
            chunk_overlap=settings.chunk_overlap,
        )
        self.store = backend(settings)
        self.collections = Collections(self.store)
        self.default_collection = DEFAULT  # the collection of requests that name none
        self._readers: dict[str, IndexReader] = {}
        self._lock = threading.Lock()
        # Requests run in parallel (the models and the index are shared by threads, each read
        # on one thread), but only as many as there are cores: more would not finish sooner,
        # and each would hold its own activations while it waits for a core.
        self._slots = threading.BoundedSemaphore(
            settings.parallel_requests or len(os.sched_getaffinity(0))
        )

    def warm_up(self) -> Engine:
        """Load the index, its keyword statistics and the models now rather than on first use."""
        search(self.reader(), self.embedder, "warm up", 1)
        self.qa_reader.warm_up()
        return self

    @functools.cached_property
    def qa_reader(self) -> SpanReader:
        """The trained span reader, loaded on first use: `docqa search` never needs it."""
        return load_reader(runtime=self._reader_runtime, cache=self.settings.model_cache)

    def reader(self, collection: str | None = None) -> IndexReader:
        """The newest published index of `collection`; an old reader stays valid for requests
        still using it.

        The store's version stamp (the CURRENT file, or one Milvus row) changes with every
        publish, from any process or machine.
        """
        name = collection or self.default_collection
        store = self.collections.store(name)
        current = self._readers.get(name)
        if current is not None and current.version == store.version():
            return current
        with self._lock:
            current = self._readers.get(name)
            if current is None or current.version != store.version():
                current = self._readers[name] = store.open_reader(self._expected)
            return current

    def settings_of(self, collection: str | None = None) -> Settings:
        """The settings whose store is `collection`, for an ingest into it."""
        return collection_settings(self.settings, collection or self.default_collection)

    def search(
        self,
        query: str,
        k: int | None = None,
        mode: Mode = "hybrid",
        collection: str | None = None,
        filters: Filter | None = None,
    ) -> list[Passage]:
        reader = restrict(self.reader(collection), filters)
        query = valid_text(query)
        with self._slots:
            found = search(reader, self.embedder, query, k or self.settings.top_k, mode)
        return [dataclasses.replace(p, location=place(reader.manifest, p)) for p in found]

    def ask(
        self,
        question: str,
        history: list[str] | None = None,
        collection: str | None = None,
        filters: Filter | None = None,
    ) -> Answer:
        reader = restrict(self.reader(collection), filters)
        question, history = valid_text(question), [valid_text(h) for h in history or []]
        with self._slots:
            answer = ask(
                reader, self.embedder, self.qa_reader, question, history, k=self.settings.top_k
            )
        return located(answer, reader.manifest)

    def status(self, collection: str | None = None) -> dict:
        reader = self.reader(collection)
        return {
            "collection": collection or self.default_collection,
            "documents": reader.document_count,
            "chunks": reader.chunk_count,
            "model": reader.manifest.model,
            "built_at": reader.manifest.built_at,
            **self.store.describe(),
        }

    def ingest_folders(self, collection: str | None = None) -> list[Path]:
        """The folders the live index mirrors, so an update from the UI keeps all of them."""
        folders = [Path(folder) for folder in self._roots(collection).values()]
        return folders or [self.settings.corpus]

    def upload_folder(self, collection: str | None = None) -> Path:
        """Where uploaded documents go: the corpus folder of the live index."""
        roots = self._roots(collection)
        if "" in roots:
            return Path(roots[""])
        corpus = str(Path(self.settings.corpus).resolve())
        if not roots or corpus in roots.values():
            return Path(corpus)
        return Path(next(iter(roots.values())))

    def relpath_in_index(self, path: Path, collection: str | None = None) -> str | None:
        """The source name a file in one of the corpus folders has (or will have) in the index."""
        for prefix, folder in self._roots(collection).items():
            if path.resolve().is_relative_to(folder):
                relative = path.resolve().relative_to(folder).as_posix()
                return f"{prefix}/{relative}" if prefix else relative
        return None

    def _roots(self, collection: str | None = None) -> dict[str, str]:
        """The folders of `collection`'s index; none for the default collection before its
        first ingest (uploads then start it). UnknownCollectionError for any other name."""
        try:
            return self.reader(collection).manifest.roots
        except StoreError:
            if (collection or self.default_collection) != self.default_collection:
                raise
            return {}

    def locate(self, source: str, collection: str | None = None) -> Path | None:
        """The corpus file a citation points to, or None if it is not (or no longer) there."""
        return self.reader(collection).manifest.locate(source)


def located(answer: Answer, manifest: Manifest) -> Answer:
    """The answer with each citation's and passage's place in its file ("slide 2") and whether
    OCR read each citation's answer, from the manifest, which records both at ingest."""
    citations = []
    for c in answer.citations:
        entry = manifest.files.get(c.source)
        ocr = bool(entry and entry.read_by_ocr(c.page, c.source_start, c.source_end))
        citations.append(dataclasses.replace(c, location=place(manifest, c), ocr=ocr))
    passages = [dataclasses.replace(p, location=place(manifest, p)) for p in answer.passages]
    return dataclasses.replace(answer, citations=citations, passages=passages)


def place(manifest: Manifest, found: Citation | Passage) -> str | None:
    """How a reader names where `found` is in its file: the page's label ("slide 2", "sheet
    Fees, rows 1-40") where ingest gave one, else "page N"; None for a file without pages."""
    entry = manifest.files.get(found.source)
    label = entry.page_labels.get(str(found.page)) if entry and found.page else None
    return label or (f"page {found.page}" if found.page else None)


def valid_text(text: str) -> str:
    """`text` with lone surrogates (from undecodable command-line bytes, or a browser's broken
    UTF-16) replaced by U+FFFD: the tokenizers and SQLite refuse them outright. Ligatures are
    spelled out as ingest spells them (a question pasted from a PDF may hold "ﬁ")."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").translate(LIGATURES)


def to_json(value: Answer | Passage | list) -> dict | list:
    """The public JSON shape of answers and passages (the API and `--json` print exactly this)."""
    if isinstance(value, list):
        return [to_json(item) for item in value]
    return dataclasses.asdict(value)
