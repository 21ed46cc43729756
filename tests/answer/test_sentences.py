from app.answer import sentences
from app.records import Passage

TEXT = (
    "Marie Curie was born in Warsaw in 1867. She moved to Paris in 1891.\n\n"
    "## Awards\n\nShe won the Nobel Prize in Physics in 1903."
)


def _passage(text: str, start: int = 0) -> Passage:
    return Passage(1, "curie.md", None, start, start + len(text), text, 1.0)


def test_the_fast_segmenter_finds_the_same_sentences_without_entities():
    with_entities = sentences.candidate_sentences([_passage(TEXT)])
    boundaries_only = sentences.candidate_sentences([_passage(TEXT)], entities=False)
    assert [(s.start, s.end) for s in boundaries_only] == [(s.start, s.end) for s in with_entities]
    assert all(s.entities == [] for s in boundaries_only)
    assert any(TEXT[e[0] : e[1]] == "Warsaw" for e in with_entities[0].entities)
    assert sentences.load_nlp(entities=False).pipe_names == ["tok2vec", "senter"]


def test_a_passage_read_again_is_not_analysed_again(monkeypatch):
    """An answer splits its passages into sentences twice (to rank, then to cite): the second
    time must give the same sentences and entities without running spaCy."""
    first = sentences.candidate_sentences([_passage(TEXT)])
    calls = []
    nlp = sentences.load_nlp()
    monkeypatch.setattr(sentences, "load_nlp", lambda entities=True: calls.append(1) or nlp)
    again = sentences.candidate_sentences([_passage(TEXT)])
    assert [(s.start, s.end, s.text, s.entities) for s in again] == [
        (s.start, s.end, s.text, s.entities) for s in first
    ]
    assert calls == []
    assert [s.text for s in first] == [
        "Marie Curie was born in Warsaw in 1867.",
        "She moved to Paris in 1891.",
        "She won the Nobel Prize in Physics in 1903.",
    ]
    assert ("Warsaw", "GPE") in {(TEXT[a:b], label) for s in first for a, b, label in s.entities}


def test_the_same_text_elsewhere_on_a_page_gets_its_own_offsets():
    """The cache is keyed by text, so offsets must come from the passage, not the cache."""
    at_zero = sentences.candidate_sentences([_passage(TEXT)])
    later = sentences.candidate_sentences([_passage(TEXT, start=500)])
    assert [s.start + 500 for s in at_zero] == [s.start for s in later]
    assert [[(a + 500, b + 500, label) for a, b, label in s.entities] for s in at_zero] == [
        s.entities for s in later
    ]


def test_the_cache_of_analyses_stays_bounded(monkeypatch):
    monkeypatch.setattr(sentences, "ANALYSES_KEPT", 2)
    for n in range(5):
        sentences.candidate_sentences([_passage(f"Sentence number {n} is here. And one more.")])
    assert len(sentences._ANALYSED) <= 2


def test_spacy_loads_without_pytorch_which_still_imports_afterwards():
    """thinc would import PyTorch (170 MiB) for a pipeline that never uses it."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys\n"
        "from app.answer.sentences import candidate_sentences, load_nlp\n"
        "load_nlp()\n"
        "assert 'torch' not in sys.modules, 'spaCy pulled in PyTorch'\n"
        "import torch\n"
        "print(torch.ones(2).sum().item())\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=root
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2.0"
