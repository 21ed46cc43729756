"""EPUB books through the real ingest: chapters in spine order, one labelled page each."""

import io
import zipfile

from tests.ingest.indexed import entry, ingest_files, skipped, stored_pages

CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
 <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
 </rootfiles></container>"""
OPF = """<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0">
 <manifest>
  <item id="c1" href="text/one.xhtml" media-type="application/xhtml+xml"/>
  <item id="c2" href="text/two.xhtml" media-type="application/xhtml+xml"/>
  <item id="css" href="style.css" media-type="text/css"/>
 </manifest>
 <spine><itemref idref="c2"/><itemref idref="c1"/></spine>
</package>"""


def _chapter(title: str, body: str) -> str:
    return (
        '<?xml version="1.0"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>{title}</title></head><body><h1>{title}</h1><p>{body}</p>"
        "<ul><li>first point</li><li>second point</li></ul></body></html>"
    )


def make_epub(members: dict[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", CONTAINER)
        book.writestr("OEBPS/content.opf", OPF)
        book.writestr("OEBPS/style.css", "p { margin: 0 }")
        book.writestr("OEBPS/text/one.xhtml", _chapter("The voyage", "The ship left Bristol."))
        book.writestr("OEBPS/text/two.xhtml", _chapter("Prologue", "It began in 1851."))
        for name, text in (members or {}).items():
            book.writestr(name, text)
    return out.getvalue()


def test_chapters_follow_the_spine(settings, fake_embedder):
    report = ingest_files(settings, fake_embedder, {"voyage.epub": make_epub()})
    assert report.files_indexed == ["voyage.epub"], skipped(report)
    pages = stored_pages(settings, "voyage.epub")
    assert pages[1].startswith("Prologue\n\nPrologue\n\nIt began in 1851.")
    assert "first point\nsecond point" in pages[1]
    assert "The ship left Bristol." in pages[2]
    assert entry(settings, "voyage.epub").page_labels == {"1": "chapter 1", "2": "chapter 2"}
