"""Which FAISS index holds the chunk vectors: exact while it is fast enough, IVF above that.

Exact search (`IndexIDMap2` over `IndexFlatIP`) reads every vector for every question, so its
latency grows linearly with the corpus: on a shared two-core machine it passes 2 ms between
20,000 and 30,000 chunks (BENCHMARKS.md, Scale). Above the `exact_search_limit` setting (20,000)
the vectors move into an `IndexIVFFlat` (inner product, spherical k-means), which reads only the
inverted lists nearest the question. IVF is chosen over HNSW
because it stores chunk ids itself and removes them natively (`remove_ids`), so a Draft's
incremental updates keep working; HNSW cannot remove and would have to be rebuilt on every
deletion.

The choice is made when a version is published (`fit`): a Draft adds and removes vectors in
whatever index it inherited, and `fit` converts or re-clusters only when the size calls for it.
`nprobe` is calibrated when the lists are trained and saved inside the index file (FAISS writes
it with the IVF header), so a reader searches with it without knowing anything of this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import faiss
import numpy as np

from app.settings import Settings

LISTS_PER_SQRT = 4  # nlist = 4 * sqrt(n), the low end of FAISS's advice: the fastest to train
TRAIN_POINTS_PER_LIST = 40  # k-means sample; FAISS warns below 39 points per centroid
REFIT_FACTOR = 2.0  # re-cluster when the ideal nlist is 2x off, i.e. the size changed 4x
TARGET_RECALL = 0.98  # on calibration queries; real SciFact questions then got 0.97-0.985
CALIBRATION_QUERIES = 256
NPROBE_STEPS = (8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024)
SEED = 2026


def create(dim: int) -> faiss.Index:
    """An empty exact index: every index starts small, and small is exact."""
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def is_exact(index: faiss.Index) -> bool:
    return not isinstance(index, faiss.IndexIVF)


def fit(index: faiss.Index, exact_search_limit: int | None = None) -> faiss.Index:
    """The index to publish for this many vectors: `index` itself, or a converted one.

    `exact_search_limit` None reads the setting (DOCQA_EXACT_SEARCH_LIMIT). Converting empties
    `index` first (its vectors are copied out), so peak memory is two copies of the vectors.
    """
    if exact_search_limit is None:
        exact_search_limit = Settings.from_env().exact_search_limit
    n = int(index.ntotal)
    if n <= exact_search_limit:
        return index if is_exact(index) else _convert(index, build_exact)
    if is_exact(index):
        return _convert(index, build_approximate)
    ideal = list_count(n)
    if max(ideal / index.nlist, index.nlist / ideal) >= REFIT_FACTOR:
        return _convert(index, build_approximate)
    return index


def list_count(n: int) -> int:
    """nlist for n vectors: 4 sqrt(n), but never fewer than 39 training points per list."""
    return max(1, min(round(LISTS_PER_SQRT * math.sqrt(n)), n // 39))


def build_exact(ids: np.ndarray, vectors: np.ndarray) -> faiss.Index:
    index = create(vectors.shape[1])
    index.add_with_ids(vectors, ids)
    return index


def build_approximate(ids: np.ndarray, vectors: np.ndarray) -> faiss.IndexIVFFlat:
    """IVF over `vectors`, trained on a sample of them, with a calibrated `nprobe`."""
    n, dim = vectors.shape
    nlist = list_count(n)
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(SEED)
    sample = min(n, TRAIN_POINTS_PER_LIST * nlist)
    index.train(vectors[np.sort(rng.choice(n, sample, replace=False))])
    index.add_with_ids(vectors, ids)
    index.nprobe = calibrate_nprobe(index, ids, vectors)
    return index


def calibrate_nprobe(index: faiss.IndexIVF, ids: np.ndarray, vectors: np.ndarray) -> int:
    """The smallest nprobe whose recall@10 against exact search reaches TARGET_RECALL.

    Two kinds of made-up questions must both reach it, because each alone overstates recall
    on some data. A stored vector moved to cosine 0.6 (a question close to one passage) finds
    that vector's near-duplicates in its own list: on 1M SciFact-like vectors it measured 0.99
    where real questions got 0.90. The midpoint of two stored vectors (a question between two
    topics) has neighbours in two regions and on list borders, but is easy on data of small
    tight clusters, where a noisy single-passage question is not. With both, real SciFact
    questions got 0.971 (12k real chunks), 0.985 (100k) and 0.973 (1M) for a target of 0.98.
    """
    rng = np.random.default_rng(SEED)
    k = min(10, len(vectors))
    query_sets = [_midpoints(vectors, rng), _near(vectors, rng)]
    truths = [[set(row) for row in ids[exact_top(q, vectors, k)]] for q in query_sets]
    for nprobe in NPROBE_STEPS:
        if nprobe >= index.nlist:
            break
        index.nprobe = nprobe
        if all(
            _recall(index, queries, truth, k) >= TARGET_RECALL
            for queries, truth in zip(query_sets, truths, strict=True)
        ):
            return nprobe
    return index.nlist


def _recall(index: faiss.Index, queries: np.ndarray, truth: list[set[int]], k: int) -> float:
    _, found = index.search(queries, k)
    return sum(len(t & set(row)) for t, row in zip(truth, found, strict=True)) / (k * len(truth))


def _midpoints(vectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    pairs = rng.integers(0, len(vectors), size=(2, CALIBRATION_QUERIES))
    queries = vectors[pairs[0]] + vectors[pairs[1]]
    return queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)


def _near(vectors: np.ndarray, rng: np.random.Generator, cosine: float = 0.6) -> np.ndarray:
    """Stored vectors turned by a random angle whose cosine is `cosine`."""
    picked = vectors[rng.integers(0, len(vectors), CALIBRATION_QUERIES)]
    noise = rng.standard_normal(picked.shape).astype(np.float32)
    noise -= (noise * picked).sum(axis=1, keepdims=True) * picked
    noise /= np.maximum(np.linalg.norm(noise, axis=1, keepdims=True), 1e-12)
    return np.ascontiguousarray(cosine * picked + math.sqrt(1 - cosine**2) * noise, np.float32)


def exact_top(queries: np.ndarray, vectors: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k best vectors for each query, best first, by brute force.

    Plain matrix products in blocks: for a few hundred queries this is several times faster
    than `faiss.knn`, whose per-query heaps dominate, and memory stays at one block of scores.
    """
    best_rows = np.empty((len(queries), 0), dtype=np.int64)
    best_scores = np.empty((len(queries), 0), dtype=np.float32)
    for start in range(0, len(vectors), 65536):
        scores = queries @ vectors[start : start + 65536].T
        top = np.argpartition(-scores, min(k, scores.shape[1]) - 1, axis=1)[:, :k]
        best_rows = np.hstack([best_rows, top + start])
        best_scores = np.hstack([best_scores, np.take_along_axis(scores, top, axis=1)])
        keep = np.argsort(-best_scores, axis=1, kind="stable")[:, :k]
        best_rows = np.take_along_axis(best_rows, keep, axis=1)
        best_scores = np.take_along_axis(best_scores, keep, axis=1)
    return best_rows


def ids(index: faiss.Index) -> np.ndarray:
    """Every id the index holds, duplicates included, in storage order; for `check_index`."""
    if is_exact(index):
        return faiss.vector_to_array(index.id_map)
    return _read_lists(index, with_vectors=False)[0]


def contents(index: faiss.Index) -> tuple[np.ndarray, np.ndarray]:
    """Copies of (ids, vectors) of every stored vector, read straight from the index's storage."""
    if not is_exact(index):
        return _read_lists(index, with_vectors=True)
    flat = faiss.downcast_index(index.index)
    vectors = faiss.vector_to_array(flat.codes).view(np.float32).reshape(-1, index.d)
    return faiss.vector_to_array(index.id_map), vectors


def vectors_of(index: faiss.Index, wanted: np.ndarray) -> dict[int, np.ndarray]:
    """The stored vector of each id of `wanted` that the index holds, by id.

    Exact indexes look each id up; IVF lists are scanned for the ids, and only the lists that
    hold one are copied, so a few ids cost one pass over the ids and nothing like a full copy.
    """
    wanted = np.asarray(wanted, dtype=np.int64)
    if len(wanted) == 0:
        return {}
    if is_exact(index):
        held = np.isin(wanted, faiss.vector_to_array(index.id_map))
        found = wanted[held]
        return dict(zip(found.tolist(), index.reconstruct_batch(found), strict=True))
    dim = index.d
    invlists = faiss.extract_index_ivf(index).invlists
    out: dict[int, np.ndarray] = {}
    for list_no in range(invlists.nlist):
        size = invlists.list_size(list_no)
        if size == 0:
            continue
        pointer = invlists.get_ids(list_no)
        list_ids = faiss.rev_swig_ptr(pointer, size).copy()
        invlists.release_ids(list_no, pointer)
        rows = np.flatnonzero(np.isin(list_ids, wanted))
        if len(rows):
            pointer = invlists.get_codes(list_no)
            codes = faiss.rev_swig_ptr(pointer, size * dim * 4)
            vectors = np.frombuffer(codes, dtype=np.float32).reshape(size, dim)[rows].copy()
            invlists.release_codes(list_no, pointer)
            out.update(zip(list_ids[rows].tolist(), vectors, strict=True))
    return out


def _read_lists(index: faiss.IndexIVF, with_vectors: bool) -> tuple[np.ndarray, np.ndarray]:
    """The inverted lists, concatenated; IVFFlat codes are the raw float32 vectors."""
    dim = index.d
    invlists = faiss.extract_index_ivf(index).invlists
    out_ids = np.empty(index.ntotal, dtype=np.int64)
    out_vectors = np.empty((index.ntotal if with_vectors else 0, dim), dtype=np.float32)
    offset = 0
    for list_no in range(invlists.nlist):
        size = invlists.list_size(list_no)
        if size == 0:
            continue
        list_ids = invlists.get_ids(list_no)
        faiss.memcpy(faiss.swig_ptr(out_ids[offset:]), list_ids, size * 8)
        invlists.release_ids(list_no, list_ids)
        if with_vectors:
            codes = invlists.get_codes(list_no)
            faiss.memcpy(faiss.swig_ptr(out_vectors[offset:]), codes, size * dim * 4)
            invlists.release_codes(list_no, codes)
        offset += size
    return out_ids, out_vectors


def describe(index: faiss.Index) -> str:
    if is_exact(index):
        return "exact (flat, inner product)"
    return f"IVF, {index.nlist} lists, nprobe {index.nprobe}"


def _convert(
    index: faiss.Index, build: Callable[[np.ndarray, np.ndarray], faiss.Index]
) -> faiss.Index:
    stored_ids, vectors = contents(index)
    index.reset()
    return build(stored_ids, vectors)


def search(
    index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The `k` best (scores, ids) for one query, among the ids in `allowed` when it is given.

    The ids go into an `IDSelectorBatch` (a hash set) that FAISS consults while it scans, so
    the filter costs about nothing on exact search. On IVF, the lists `nprobe` visits can hold
    fewer than `k` admitted vectors when a filter admits few; the search is then repeated over
    every list, which is exact over the admitted vectors.
    """
    query = query.reshape(1, -1).astype(np.float32)
    if allowed is None:
        scores, found = index.search(query, k)
        return scores[0], found[0]
    selector = faiss.IDSelectorBatch(len(allowed), faiss.swig_ptr(allowed))
    if is_exact(index):
        scores, found = index.search(query, k, params=faiss.SearchParameters(sel=selector))
        return scores[0], found[0]
    wanted = min(k, len(allowed))
    for nprobe in (index.nprobe, index.nlist):
        params = faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)
        scores, found = index.search(query, k, params=params)
        if int((found[0] >= 0).sum()) >= wanted:
            break
    return scores[0], found[0]
