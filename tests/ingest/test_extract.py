import os
from pathlib import Path

import pytest

from app.ingest.errors import ExtractionError
from app.ingest.extract import extract
from app.ingest.formats.text import join_split_words
from app.ingest.scan import scan_corpus
from tests.conftest import SPLIT_WORDS, make_pdf, write_files


def test_html_keeps_visible_text_only(tmp_path):
    write_files(
        tmp_path,
        {
            "page.html": (
                "<html><head><title>Guide</title><style>.secret{color:red}</style>"
                "<script>var hidden = 'do not index';</script></head>"
                "<body><p>Visible <b>bold</b> words.</p><ul><li>first</li><li>second</li></ul>"
                "<noscript>enable js</noscript></body></html>"
            )
        },
    )
    [page] = extract(tmp_path / "page.html")
    assert page.number is None
    assert "Visible bold words." in page.text
    assert "first\nsecond" in page.text
    for invisible in ("secret", "hidden", "do not index", "enable js"):
        assert invisible not in page.text


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16"])
def test_non_utf8_text_is_decoded_not_dropped(tmp_path, encoding):
    text = "Café crème brûlée costs 5 euros. Zoë naïve façade déjà vu. " * 3
    (tmp_path / "menu.txt").write_bytes(text.encode(encoding))
    [page] = extract(tmp_path / "menu.txt")
    assert "Café crème brûlée" in page.text


def test_pdf_pages_keep_their_numbers(tmp_path):
    make_pdf(tmp_path / "doc.pdf", ["Alpha page text.", "Beta page text.", "Gamma page text."])
    pages = extract(tmp_path / "doc.pdf")
    assert [p.number for p in pages] == [1, 2, 3]
    assert "Beta" in pages[1].text


def test_words_a_pdf_splits_across_lines_are_made_whole(tmp_path):
    make_pdf(tmp_path / "book.pdf", [SPLIT_WORDS])
    [page] = extract(tmp_path / "book.pdf")
    assert "the inhabitants are now living" in page.text
    assert "calls the river dangerous" in page.text
    assert "Anglo-\nSaxon" in page.text, "a capital after the hyphen: a hyphenated name"
    assert "1990-\n1995" in page.text, "digits are not a word"


def test_only_typeset_line_ends_are_joined():
    assert join_split_words("co\u00ad\noperate, dan- \r\n  gerous") == "cooperate, dangerous"
    assert join_split_words("a -\nb; x-\n\ny") == "a -\nb; x-\n\ny", "no word, or a paragraph"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("blob.txt", os.urandom(4096) + b"\x00" * 16, "binary"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", "corrupt PDF"),
        ("blank.md", "   \n\n  ", "no extractable text"),
    ],
)
def test_unreadable_files_raise_a_readable_reason(tmp_path, name, content, reason):
    write_files(tmp_path, {name: content})
    with pytest.raises(ExtractionError, match=reason):
        extract(tmp_path / name)


def test_scan_reports_what_it_refuses(tmp_path):
    outside = tmp_path / "outside"
    write_files(outside, {"secret.txt": "not part of the corpus"})
    corpus = tmp_path / "corpus"
    write_files(
        corpus,
        {
            "a.md": "# Title\nText.",
            "sub/b.txt": "More text.",
            "program.exe": b"MZ\x90\x00",
            "empty.txt": "",
            ".hidden/c.txt": "ignored",
            "big.txt": "x" * 3000,
            "bad\x07name.txt": "x",
        },
    )
    (corpus / "link.txt").symlink_to(outside / "secret.txt")
    (corpus / "inside-link.md").symlink_to(corpus / "a.md")
    files, skipped = scan_corpus(corpus, max_bytes=2000)
    assert sorted(f.relpath for f in files) == ["a.md", "inside-link.md", "sub/b.txt"]
    reasons = {s.relpath: s.reason for s in skipped}
    assert "unsupported file type .exe" in reasons["program.exe"]
    assert reasons["empty.txt"] == "empty file"
    assert reasons["big.txt"].startswith("too large")
    assert reasons["link.txt"] == "symlink points outside the corpus"
    assert "control characters" in reasons["bad\x07name.txt"]


def test_missing_corpus_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="corpus folder not found"):
        scan_corpus(tmp_path / "nope", max_bytes=10)


def test_ligatures_are_spelled_out(tmp_path):
    """Search and the models read "ﬁ" as an unknown sign, not as "fi"."""
    write_files(tmp_path, {"note.txt": "The misﬁts see things diﬀerently; eﬃcient ﬂow."})
    assert extract(tmp_path / "note.txt")[0].text == (
        "The misfits see things differently; efficient flow."
    )
    from app.engine import valid_text  # and so are questions pasted from a PDF

    assert valid_text("Who are the misﬁts?") == "Who are the misfits?"


def test_a_tex_pdfs_ligatures_are_found_by_keyword_search(shared_eval, settings, fake_embedder):
    """A real PDF/A set by TeX writes "misﬁts" and "diﬀerently" with ligature characters."""
    from app.answer.retrieval import search
    from app.store.folder import open_index
    from tests.ingest.indexed import ingest_files

    pdf = shared_eval / "pdfs" / "py-pdf-sample-files" / "021-pdfa" / "crazyones-pdfa.pdf"
    ingest_files(settings, fake_embedder, {"crazyones.pdf": pdf.read_bytes()})
    index = open_index(settings.index)
    [hit] = search(index, fake_embedder, "misfits who see things differently", 1, "keyword")
    assert hit.source == "crazyones.pdf" and "misfits" in hit.text and "differently" in hit.text
