"""EPUB: the chapters in reading order (the spine), one page each, labelled "chapter N".

An EPUB is a zip of XHTML files listed by an OPF package file. It is read with zipfile and the
standard library only: the package files are parsed with defusedxml (no entity expansion), the
chapters as HTML like any web page, and nothing is ever written to disk.
"""

from __future__ import annotations

import posixpath
from urllib.parse import unquote

from app.ingest.errors import ExtractionError
from app.ingest.formats import archive
from app.ingest.formats.text import decode_bytes, html_text
from app.records import Page

SUFFIXES = {".epub"}
EMPTY_REASON = "no text in any chapter of the book"
_CONTAINER = "META-INF/container.xml"
_HTML_TYPES = {"application/xhtml+xml", "text/html", "application/x-dtbook+xml"}


def read(data: bytes, suffix: str, max_pages: int) -> list[Page]:
    book = archive.open_zip(data, "EPUB book")
    archive.refuse_entities(book, "EPUB book", (".xml", ".opf", ".ncx", ".xhtml", ".html", ".htm"))
    chapters = _spine(book)
    if len(chapters) > max_pages:
        raise ExtractionError(f"too many chapters ({len(chapters)} > {max_pages} limit)")
    pages: list[Page] = []
    for name in chapters:
        text = html_text(decode_bytes(archive.read_member(book, name)))
        if text.strip():
            number = len(pages) + 1
            pages.append(Page(number, text, label=f"chapter {number}"))
    return pages


def _spine(book) -> list[str]:
    """Member names of the chapters, in reading order."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        container = ElementTree.fromstring(archive.read_member(book, _CONTAINER))
        rootfile = next(e for e in container.iter() if e.tag.endswith("rootfile"))
        opf_name = rootfile.attrib["full-path"]
        package = ElementTree.fromstring(archive.read_member(book, opf_name))
    except (DefusedXmlException, ElementTree.ParseError) as exc:
        raise ExtractionError(f"corrupt EPUB book ({type(exc).__name__}: {exc})") from exc
    except (StopIteration, KeyError) as exc:
        raise ExtractionError("corrupt EPUB book (no package file in its container)") from exc
    base = posixpath.dirname(opf_name)
    items = {}
    for item in package.iter():
        if item.tag.endswith("}item") and item.get("media-type") in _HTML_TYPES:
            href = posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
            items[item.get("id")] = href
    order = [e.get("idref") for e in package.iter() if e.tag.endswith("}itemref")]
    names = set(book.namelist())
    return [items[i] for i in order if i in items and items[i] in names]
