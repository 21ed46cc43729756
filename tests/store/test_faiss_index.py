import faiss
import numpy as np
import pytest

from app.records import Chunk, Page
from app.store import faiss_index
from app.store.folder import Draft, open_index, read_manifest
from app.store.folder_check import check_index
from app.store.manifest import FileEntry, Manifest

DIM = 384


def clustered(n: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    """Unit vectors in small topical clusters (cosine ~0.7 to their centre), like embeddings.

    Loose enough that IVF must probe a third of its lists: a test where one list holds all
    neighbours would pass with any nprobe.
    """
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(1, n // 10), dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    noise = rng.standard_normal((n, dim)).astype(np.float32) / np.float32(np.sqrt(dim))
    vectors = centres[rng.integers(0, len(centres), n)] + noise
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def questions(vectors: np.ndarray, count: int, seed: int = 1) -> np.ndarray:
    """Queries near stored vectors but not on them (cosine ~0.7), drawn apart from calibration."""
    rng = np.random.default_rng(seed)
    picked = vectors[rng.choice(len(vectors), count, replace=False)]
    noisy = picked + rng.standard_normal(picked.shape).astype(np.float32) / np.float32(np.sqrt(DIM))
    return (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)


def exact_of(vectors: np.ndarray, ids: np.ndarray) -> faiss.Index:
    index = faiss_index.create(vectors.shape[1])
    index.add_with_ids(vectors, ids)
    return index


def recall_at_10(index: faiss.Index, truth: faiss.Index, queries: np.ndarray) -> float:
    _, found = index.search(queries, 10)
    _, expected = truth.search(queries, 10)
    hits = sum(len(set(a) & set(b)) for a, b in zip(found, expected, strict=True))
    return hits / expected.size


def test_below_the_limit_search_stays_exact():
    vectors = clustered(500)
    index = exact_of(vectors, np.arange(500))
    assert faiss_index.fit(index, exact_search_limit=500) is index
    assert faiss_index.is_exact(index)


def test_above_the_limit_ivf_finds_what_exact_search_finds():
    vectors = clustered(4000)
    ids = np.arange(100, 4100)
    approximate = faiss_index.fit(exact_of(vectors, ids), exact_search_limit=1000)
    assert not faiss_index.is_exact(approximate)
    assert approximate.nlist == faiss_index.list_count(4000)
    assert 1 <= approximate.nprobe < approximate.nlist
    assert recall_at_10(approximate, exact_of(vectors, ids), questions(vectors, 200)) >= 0.95
    assert sorted(faiss_index.ids(approximate)) == ids.tolist()


def test_contents_round_trip_through_both_kinds():
    vectors = clustered(3000)
    ids = np.arange(3000) * 7
    approximate = faiss_index.fit(exact_of(vectors, ids), exact_search_limit=100)
    found_ids, found_vectors = faiss_index.contents(approximate)
    order = np.argsort(found_ids)
    assert np.array_equal(found_ids[order], ids)
    assert np.array_equal(found_vectors[order], vectors)


@pytest.mark.parametrize("limit", [10_000, 100], ids=["exact", "ivf"])
def test_stored_vectors_are_found_by_id_in_both_kinds(limit):
    vectors = clustered(3000)
    ids = np.arange(3000) * 7
    index = faiss_index.fit(exact_of(vectors, ids), exact_search_limit=limit)
    wanted = np.array([0, 7 * 1234, 7 * 2999, 5])  # 5 is no stored id
    found = faiss_index.vectors_of(index, wanted)
    assert sorted(found) == [0, 7 * 1234, 7 * 2999]
    for chunk_id, vector in found.items():
        assert np.array_equal(vector, vectors[chunk_id // 7])
    assert faiss_index.vectors_of(index, np.array([], dtype=np.int64)) == {}


def test_removals_and_additions_keep_ids_and_recall():
    vectors = clustered(5000)
    ids = np.arange(5000)
    index = faiss_index.fit(exact_of(vectors[:4000], ids[:4000]), exact_search_limit=1000)
    removed = np.arange(0, 4000, 3)
    assert index.remove_ids(removed) == len(removed)
    index.add_with_ids(vectors[4000:], ids[4000:])
    kept = np.setdiff1d(ids, removed)
    assert sorted(faiss_index.ids(index)) == kept.tolist()
    refit = faiss_index.fit(index, exact_search_limit=1000)
    assert refit is index  # 3,666 vectors: the lists trained for 4,000 still fit
    truth = exact_of(vectors[kept], kept)
    assert recall_at_10(index, truth, questions(vectors[kept], 200)) >= 0.95


def test_conversion_back_to_exact_and_reclustering_on_growth():
    vectors = clustered(6000)
    ids = np.arange(6000)
    small = faiss_index.fit(exact_of(vectors[:1500], ids[:1500]), exact_search_limit=1000)
    assert small.nlist == faiss_index.list_count(1500)
    small.add_with_ids(vectors[1500:], ids[1500:])  # grown 4x past the size it was trained at
    grown = faiss_index.fit(small, exact_search_limit=1000)
    assert grown.nlist == faiss_index.list_count(6000) and grown.ntotal == 6000
    grown.remove_ids(np.arange(5200))
    back = faiss_index.fit(grown, exact_search_limit=1000)
    assert faiss_index.is_exact(back) and back.ntotal == 800
    assert sorted(faiss_index.ids(back)) == list(range(5200, 6000))
    [[best]] = back.search(vectors[5500:5501], 1)[1]
    assert best == 5500


def test_nprobe_is_saved_in_the_index_file(tmp_path):
    vectors = clustered(3000)
    index = faiss_index.fit(exact_of(vectors, np.arange(3000)), exact_search_limit=100)
    faiss.write_index(index, str(tmp_path / "v.faiss"))
    loaded = faiss.read_index(str(tmp_path / "v.faiss"))
    assert (loaded.nlist, loaded.nprobe) == (index.nlist, index.nprobe)
    assert faiss_index.describe(loaded) == faiss_index.describe(index)


def _publish(root, vectors: np.ndarray, add: dict[str, range], remove=(), limit=None) -> None:
    """One Draft -> publish round through the real store, one chunk per vector, text stubs."""
    manifest = read_manifest(root) or Manifest(
        model="raw", dim=DIM, chunk_tokens=200, chunk_overlap=40
    )
    draft = Draft(root, DIM, exact_search_limit=limit)
    for source in remove:
        draft.remove_source(source)
        del manifest.files[source]
    for source, rows in add.items():
        texts = [f"stub {source} {row}" for row in rows]
        page = "\n".join(texts)
        starts = np.cumsum([0] + [len(t) + 1 for t in texts])
        chunks = [
            Chunk(source, None, int(s), int(s) + len(t), t)
            for s, t in zip(starts[:-1], texts, strict=True)
        ]
        draft.add_source(source, [Page(None, page)], chunks, vectors[rows.start : rows.stop])
        manifest.files[source] = FileEntry("0" * 64, len(page), 0, pages=1, chunks=len(rows))
    draft.publish(manifest)


def test_store_publishes_searches_and_checks_an_ivf_index(tmp_path):
    vectors = clustered(4000)
    docs = {f"doc{d}.txt": range(d * 100, d * 100 + 100) for d in range(30)}
    _publish(tmp_path, vectors, docs, limit=1000)
    reader = open_index(tmp_path)
    assert not faiss_index.is_exact(reader.vectors) and reader.chunk_count == 3000
    [(best, score), *_] = reader.search_vectors(vectors[1234], k=100)
    assert reader.chunks([best])[best].text == "stub doc12.txt 1234" and score > 0.99
    assert check_index(tmp_path) == []

    removed = [f"doc{d}.txt" for d in range(0, 30, 4)]
    _publish(tmp_path, vectors, {"new.txt": range(3000, 4000)}, remove=removed, limit=1000)
    reader = open_index(tmp_path)
    assert not faiss_index.is_exact(reader.vectors)
    assert reader.chunk_count == 3000 - 100 * len(removed) + 1000
    [(best, _), *_] = reader.search_vectors(vectors[3500], k=10)
    assert reader.chunks([best])[best].source == "new.txt"
    assert check_index(tmp_path) == []

    _publish(tmp_path, vectors, {}, remove=[s for s in docs if s not in removed], limit=1000)
    reader = open_index(tmp_path)
    assert faiss_index.is_exact(reader.vectors) and reader.chunk_count == 1000
    assert check_index(tmp_path) == []


def test_check_finds_duplicate_ids_in_an_ivf_index(tmp_path):
    vectors = clustered(2000)
    _publish(tmp_path, vectors, {"a.txt": range(0, 2000)}, limit=500)
    version = open_index(tmp_path).version
    index = faiss.read_index(str(version / "vectors.faiss"))
    index.add_with_ids(vectors[:1], np.asarray([5], dtype=np.int64))
    faiss.write_index(index, str(version / "vectors.faiss"))
    assert "FAISS holds duplicate chunk ids" in check_index(tmp_path)


def test_the_setting_chooses_when_no_limit_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCQA_EXACT_SEARCH_LIMIT", "1000")
    _publish(tmp_path, clustered(2000), {"a.txt": range(0, 2000)})
    assert not faiss_index.is_exact(open_index(tmp_path).vectors)
    monkeypatch.setenv("DOCQA_EXACT_SEARCH_LIMIT", "5000")
    _publish(tmp_path, clustered(2000), {"b.txt": range(0, 10)})
    assert faiss_index.is_exact(open_index(tmp_path).vectors)


@pytest.mark.parametrize("n", [1, 39, 40, 100])
def test_tiny_indexes_above_a_tiny_limit_still_work(n):
    vectors = clustered(n)
    index = faiss_index.fit(exact_of(vectors, np.arange(n)), exact_search_limit=0)
    assert sorted(faiss_index.ids(index)) == list(range(n))
    [[best]] = index.search(vectors[:1], 1)[1]
    assert best == 0
