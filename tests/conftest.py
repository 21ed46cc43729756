"""Shared fixtures: small corpora in tmp_path, the real model (loaded once), a fake embedder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.models.embedder import SentenceTransformerEmbedder, load_embedder
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(ROOT / "scripts"))

# Deterministic bag-of-words vectors: fast, for tests of logic that is not about the model. The
# crash-loop script's child processes use the same one, so it lives there.
from crash_loop import HashEmbedder as FakeEmbedder  # noqa: E402
from evaldata import write_table_pdf as make_table_pdf  # noqa: E402, F401


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    return load_embedder("bundled")


@pytest.fixture(scope="session")
def span_reader():  # -> app.models.reader.SpanReader
    """The shipped reader model, loaded once."""
    from app.models.reader import load_reader

    return load_reader()


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


class CountingEmbedder:
    """Wraps an embedder and counts what it was asked to encode."""

    def __init__(self, inner):
        self.inner, self.encoded = inner, 0
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens

    def encode(self, texts, batch_size=0):
        self.encoded += len(texts)
        return self.inner.encode(texts, batch_size)

    def fits(self, texts):
        return self.inner.fits(texts)

    def load(self):
        self.inner.load()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "corpus").mkdir()
    return Settings.from_env(environ={}, corpus=tmp_path / "corpus", index=tmp_path / "index")


def run_docqa(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`docqa ARGS` in a fresh process, as a user runs it; its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
    )


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    """Create `files` (relative path -> content) under `root`."""
    for relpath, content in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_pdf(path: Path, pages: list[str]) -> None:
    """A real PDF with one text page per entry, written with fpdf2."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))


# Laid out in lines as a printed book is: two words split across lines, and two hyphens to keep.
SPLIT_WORDS = (
    "We learn from prisoners that the inhabi-\ntants are now living in caves. The Anglo-\n"
    "Saxon chronicle calls the river dan-\ngerous from 1990-\n1995."
)


@pytest.fixture
def shared_eval() -> Path:
    if not SHARED_EVAL.is_dir():
        pytest.skip("../shared/eval is not present (it only exists beside the team's checkout)")
    return SHARED_EVAL


CORPUS = ROOT / "corpus"
DEMO_QUESTIONS = ROOT / "app" / "serve" / "demo_questions.json"


@pytest.fixture(scope="session")
def sample_engine(tmp_path_factory, real_embedder):
    """The bundled sample corpus, indexed once per test session, behind a real Engine."""
    index = tmp_path_factory.mktemp("sample") / "index"
    settings = Settings.from_env(environ={}, corpus=CORPUS, index=index)
    return indexed_engine(settings, real_embedder)


def indexed_engine(settings: Settings, embedder):  # -> app.engine.Engine
    """An Engine over `settings.corpus`, indexed by docqa's ingest with `embedder`, which it
    then encodes questions with too (a test's real or fake embedder, loaded once)."""
    from app.engine import Engine
    from app.ingest.pipeline import ingest

    ingest(settings, embedder=embedder)
    engine = Engine(settings)
    engine.embedder = embedder
    return engine


def assert_verbatim(answer, reader) -> None:
    """The invariant of every answer: its text sits at the cited offsets of the cited source."""
    for citation in answer.citations:
        page_text = reader.page_text(citation.source, citation.page)
        cited = page_text[citation.source_start : citation.source_end]
        assert cited == citation.snippet[citation.answer_start : citation.answer_end]
        assert citation.snippet in page_text
    if answer.answer is not None:
        first = answer.citations[0]
        page_text = reader.page_text(first.source, first.page)
        assert page_text[first.source_start : first.source_end] == answer.answer
        assert answer.sentence in page_text


class LiveServer:
    """A real uvicorn server on a free loopback port, in a thread of the test process."""

    def __init__(self, app) -> None:
        import socket
        import threading

        import uvicorn

        self.app = app
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        import time

        deadline = time.monotonic() + 30
        while not self._server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def serve_engine(settings: Settings, embedder) -> tuple[LiveServer, object]:
    from app.engine import Engine
    from app.serve.server import build_server

    engine = Engine(settings)
    engine.embedder = embedder
    return LiveServer(build_server(engine)), engine


@pytest.fixture(scope="module")
def live(tmp_path_factory, real_embedder):
    """docqa's full server (API + UI) over a private copy of the sample corpus."""
    import shutil

    from app.ingest.pipeline import ingest

    root = tmp_path_factory.mktemp("live")
    shutil.copytree(CORPUS, root / "corpus")
    settings = Settings.from_env(environ={}, corpus=root / "corpus", index=root / "index")
    ingest(settings, embedder=real_embedder)
    server, engine = serve_engine(settings, real_embedder)
    yield server, engine
    server.stop()


def unicode_text(max_pieces: int = 40):
    """Hypothesis strategy: text that breaks naive offset arithmetic.

    Plain `st.text()` rarely builds what real documents hold: letters with stacked combining
    marks, right-to-left runs and direction overrides, emoji joined into one glyph, NUL and
    other control characters, odd line ends, and very long lines without a space.
    """
    from hypothesis import strategies as st

    specials = [
        "שלום עולם, זה משפט.", "مرحبا بالعالم! هذه جملة.", "\u202eevil\u202c", "\u200f", "\u200e",
        "👩‍👩‍👧‍👦", "👍🏽", "🇺🇦", "❤️", "🏳️‍🌈", "\x00", "\x07", "\x1b[31m", "\r\n", "\r",
        "\u2028", "\u2029", "\ufeff", "\u200b", "\t", "\x0b", "\x0c", "。", "！", "\U0010ffff",
        "Word.", "A sentence ends here. ", "\n\n", " ",
    ]  # fmt: skip
    stacked = st.builds(
        str.__add__,
        st.characters(categories=["L"]),
        st.text(alphabet="\u0301\u0308\u0327\u0331\u20dd\u0489\u0e49", min_size=1, max_size=8),
    )
    long_line = st.builds(
        str.__mul__,
        st.sampled_from(["x", "é", "😀", "東", "ab ", "\u0301"]),
        st.integers(200, 6000),
    )
    piece = st.one_of(st.text(max_size=50), st.sampled_from(specials), stacked, long_line)
    return st.lists(piece, max_size=max_pieces).map("".join)
