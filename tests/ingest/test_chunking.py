import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from app.ingest.chunking import chunk_page, tiktoken_encoding
from tests.conftest import unicode_text


def _prose(sentences: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    words = [
        "river",
        "stone",
        "lamp",
        "harbour",
        "engine",
        "seven",
        "quietly",
        "north",
        "garden",
        "paper",
        "copper",
    ]
    out = []
    for i in range(sentences):
        out.append(
            " ".join(rng.choice(words) for _ in range(rng.randint(6, 18))).capitalize() + "."
        )
        if i % 5 == 4:
            out.append("\n\n")
    return " ".join(out)


def test_chunks_slice_back_stay_in_budget_and_end_at_sentences():
    text = _prose(120)
    chunks = chunk_page(text, source="a.txt", page=None, max_tokens=100, overlap=20)
    enc = tiktoken_encoding()
    assert len(chunks) > 5
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert len(enc.encode(chunk.text)) <= 100
    assert all(c.text.endswith(".") for c in chunks)


def test_consecutive_chunks_overlap_and_cover_the_text():
    text = _prose(80, seed=1)
    chunks = chunk_page(text, source="a.txt", page=3, max_tokens=80, overlap=20)
    assert chunks[0].start == 0 and chunks[-1].end == len(text.rstrip())
    for before, after in itertools.pairwise(chunks):
        assert after.start < before.end, "no overlap"
        assert after.start > before.start
    assert {c.page for c in chunks} == {3}


def test_no_chunk_exceeds_the_model_window_in_the_models_own_tokenizer(real_embedder):
    # Text that tiktoken packs densely but WordPiece explodes: CJK, digits, symbols, one huge word.
    hostile = (
        "東京都の人口は約千四百万人です。" * 60
        + " 3.14159265358979323846264338327950288419716939937510 " * 20
        + " "
        + "x7Q" * 900
        + " "
        + "∮ E⋅da = Q,  n → ∞, ∑ f(i) = ∏ g(i), ∀x∈ℝ: ⌈x⌉ = −⌊−x⌋ " * 20
    )
    chunks = chunk_page(
        hostile, source="h.txt", page=None, max_tokens=256, overlap=40, fits=real_embedder.fits
    )
    from transformers import AutoTokenizer

    # The tokenizer sentence-transformers itself loads for this model folder, special tokens and all
    tokenizer = AutoTokenizer.from_pretrained(str(real_embedder.path))
    limit = real_embedder.max_tokens + 2
    for chunk in chunks:
        assert hostile[chunk.start : chunk.end] == chunk.text
        assert len(tokenizer(chunk.text)["input_ids"]) <= limit
    covered = "".join(hostile[c.start : c.end] for c in chunks)
    assert "x7Q" * 50 in covered


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(st.text(min_size=0, max_size=3000), unicode_text()),
    st.integers(8, 120),
    st.integers(0, 30),
)
def test_any_unicode_text_chunks_without_error_and_offsets_hold(text, max_tokens, overlap):
    chunks = chunk_page(text, source="x", page=None, max_tokens=max_tokens, overlap=overlap)
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip() == chunk.text and chunk.text
    if text.strip():
        assert chunks


def test_long_table_rows_are_never_cut_or_begun_in_their_middle():
    rows = [
        "| " + " | ".join(f"Column header {c}: {r * 100 + c} units" for c in range(12)) + " |"
        for r in range(30)
    ]
    text = "\n".join(rows)
    chunks = chunk_page(text, source="t.csv", page=None, max_tokens=200, overlap=40)
    assert len(chunks) > 10
    for chunk in chunks:
        assert chunk.text.startswith("| Column header 0: ") and chunk.text.endswith(" units |")


def test_prose_on_lines_of_its_own_keeps_the_overlap():
    """Only a table row ends a chunk whole and starts the next one without overlap. When every
    line did, an abstract's sections on lines of their own ("RESULTS ...") lost the context the
    overlap carries, and SciFact dense nDCG@10 fell by 0.006 (BENCHMARKS.md)."""
    results = " ".join(f"measure {n} rose" for n in range(45))
    conclusions = " ".join(f"finding {n} holds" for n in range(45))
    text = f"RESULTS {results}\nCONCLUSIONS {conclusions}"
    chunks = chunk_page(text, source="a.txt", page=None, max_tokens=200, overlap=40)
    assert len(chunks) >= 2
    for before, after in itertools.pairwise(chunks):
        assert after.start < before.end, "the next chunk repeats the end of the one before"


def test_a_chunk_never_ends_with_a_heading_cut_from_its_text():
    """A heading that ended its chunk stood alone at the end, and was read as an answer:
    "Action items" for "What will be discussed in September?"."""
    for heading in ("Action items", "## Next steps", "3. PARKING"):
        text = (
            "Minutes\n\n"
            + " ".join(["The committee approved the move to the Riverside building."] * 14)
            + f"\n\n{heading}\n\n"
            + " ".join(["Sign the lease by April and book the removal company."] * 14)
        )
        chunks = chunk_page(text, source="m.docx", page=None, max_tokens=200, overlap=40)
        assert len(chunks) >= 2
        for chunk in chunks:
            assert not chunk.text.endswith(heading), heading
        assert any(f"{heading}\n\nSign the lease" in chunk.text for chunk in chunks)


def test_a_long_line_of_capitals_is_judged_no_heading_at_once():
    """The first numbered-heading pattern let each capitalised word split in every way: a line
    of 18 capitals took 400 s, and the handbook of shared/eval stopped an ingest. This returns
    at once, or never."""
    from app.ingest.chunking import is_heading

    assert not is_heading("1. " + "ABCDEFGH " * 2 + "A" * 60 + " x")
    assert not is_heading("2 – " + "APPOINTMENT QUALIFICATIONS FEE " * 30 + "x")
    assert is_heading("12. RECORD OF MEETING") and not is_heading("1. Close the inlet valve")
