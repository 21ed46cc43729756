"""The in-memory BM25 must rank exactly as FTS5's own bm25() does, on the same index."""

import random

import numpy as np

from app.records import Chunk, Page
from app.store import postings
from app.store.folder import Draft, open_index
from app.store.manifest import FileEntry, Manifest

WORDS = ("cell cells protein proteins growth factor binding tumour tumor mouse mice gene genes "
         "dna_repair covid-19 café cafe insulin receptor signal pathway liver kidney blood the a "
         "of in").split()  # fmt: skip


def _index(tmp_path, fake_embedder, texts: list[str]):
    draft = Draft(tmp_path, fake_embedder.dim)
    manifest = Manifest(model=fake_embedder.name, dim=fake_embedder.dim, chunk_tokens=200,
                        chunk_overlap=40)  # fmt: skip
    for n, text in enumerate(texts):
        source = f"{n:03d}.txt"
        chunk = Chunk(source, None, 0, len(text), text)
        draft.add_source(source, [Page(None, text)], [chunk], fake_embedder.encode([text]))
        manifest.files[source] = FileEntry("0" * 64, len(text), 0, pages=1, chunks=1)
    draft.publish(manifest)
    return open_index(tmp_path)


def _fts5(reader, words: list[str], k: int) -> list[tuple[int, float]]:
    query = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
    return reader.db.execute(
        "SELECT rowid, -bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? "
        "ORDER BY bm25(chunks_fts), rowid LIMIT ?",
        (query, k),
    ).fetchall()


def test_scores_and_ranking_are_fts5s(tmp_path, fake_embedder):
    rng = random.Random(7)
    texts = [" ".join(rng.choices(WORDS, k=rng.randint(3, 60))) for _ in range(300)]
    texts += ["dna repair dna_repair", "covid 19 and covid-19 again covid-19", "unrelated text"]
    reader = _index(tmp_path, fake_embedder, texts)
    questions = [["cells", "growth"], ["cell", "cells"], ["dna_repair"], ["covid-19", "mice"],
                 ["cafe"], ["the", "of", "protein"], ["nothingmatches"], ["liver"] * 2,
                 rng.sample(WORDS, 8), rng.sample(WORDS, 12)]  # fmt: skip
    for words in questions:
        ours = reader.search_keywords(words, 50)
        theirs = _fts5(reader, words, 50)
        assert [i for i, _ in ours] == [i for i, _ in theirs], words
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-12)
    words = ["cells", "dna_repair", "covid-19", "café", "_", "absent", "of"]
    expected = {w: reader.db.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?",
                                     ('"' + w + '"',)).fetchone()[0] for w in words}  # fmt: skip
    assert reader.document_frequencies(words) == expected


def test_a_filter_keeps_only_admitted_chunks_and_the_memory_stays_bounded(
    tmp_path, fake_embedder, monkeypatch
):
    texts = [f"protein number {n} " + "cell " * (n % 5) for n in range(40)]
    reader = _index(tmp_path, fake_embedder, texts)
    scorer = reader._keywords
    allowed = np.arange(1, 41, 3, dtype=np.int64)
    hits = scorer.search(["cell", "protein"], 100, allowed)
    assert {i for i, _ in hits} == set(allowed.tolist())
    monkeypatch.setattr(postings, "POSTINGS_KEPT", 45)
    for word in ("protein", "cell", "number"):
        scorer.search([word], 5)
    assert scorer._kept_size <= 45 or len(scorer._kept) == 1
    assert [i for i, _ in scorer.search(["cell"], 5)] == [i for i, _ in _fts5(reader, ["cell"], 5)]
