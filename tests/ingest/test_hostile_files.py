"""Hostile files: each one ends in bounded time and memory, is reported and skipped (or indexed,
when it is legitimately readable), and the ingest goes on with the good files."""

import io
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from app.ingest.errors import ExtractionError
from app.ingest.sandbox import ExtractionSandbox
from app.serve.api import create_app
from app.store.folder import open_index
from app.store.folder_check import check_index
from tests.conftest import ROOT, indexed_engine, write_files
from tests.ingest.test_office import _ole

TIMEOUT_S = 20  # DOCQA_FILE_TIMEOUT of the run: generous, as the test machine may be busy
MEMORY_MB = 512  # DOCQA_EXTRACT_MEMORY_MB of the run
PAGE_TEXT = b"BT /F1 12 Tf 72 720 Td (Hello from a hostile page) Tj ET"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources "
PAGE += b"<< /Font << /F1 5 0 R >> >> >>"

# file -> what the report must say: "indexed", or a phrase of the reason it was skipped
EXPECTED = {
    "good.txt": "indexed",
    "good.html": "indexed",
    "pdf/claims-2147483647-pages.pdf": "indexed",  # the claim is a lie; the one real page is read
    "pdf/6000-pages.pdf": "too many pages (6000 > 5000 limit)",
    "pdf/page-tree-cycle.pdf": "cyclic page references",
    "pdf/inflates-to-1-GiB.pdf": "exceeds the reader's safety limits",
    "html/100000-nested-divs.html": "indexed",
    "text/1-GiB.txt": "too large (1024 MiB > 100 MiB limit)",
    "text/1-MB-on-one-line.txt": "indexed",
    "text/1-MB-word.txt": "indexed",
    "links/outside.txt": "symlink points outside the corpus",
    "links/outside-folder": "symlink points outside the corpus",
    "links/dev-zero.txt": "symlink points outside the corpus",
    "links/fifo.txt": "not a regular file",
    "names/escape\x1b[31mred.txt": "file name contains control characters",
    "names/new\nline.md": "file name contains control characters",
    "names/latin1-\ufffd.txt": "file name is not valid UTF-8",
    "office/zip-bomb.docx": "a zip bomb?",
    "office/zip-bomb.xlsx": "a zip bomb?",
    "office/billion-laughs.docx": "declares XML entities",
    "office/billion-laughs.odt": "declares XML entities",
    "office/password.xlsx": "encrypted workbook (needs a password)",
    "office/escapes.epub": "name escapes the archive",
    "mail/10000-parts.eml": "too many MIME parts",
    "images/30000x30000.png": "image too large to read (30000 x 30000 pixels",
    "images/10000-frames.tiff": "too many frames",
}


def raw_pdf(*objects: bytes) -> bytes:
    """A PDF file with these objects (1 0 obj, 2 0 obj...) and a correct cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def deflated(data: bytes) -> bytes:
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)


def one_page_pdf(pages: bytes, contents: bytes) -> bytes:
    return raw_pdf(CATALOG, pages, PAGE, contents, FONT)


def spaces_bomb(gib: int = 1) -> bytes:
    """A valid zlib stream of PAGE_TEXT and `gib` GiB of spaces, about 1 MB per GiB.

    Each MiB of spaces is compressed once after a full flush, which resets the compressor, so
    its bytes can be repeated instead of compressing a GiB (8 s) for every test run.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate; zlib framing added below
    head = compressor.compress(PAGE_TEXT + b"\n") + compressor.flush(zlib.Z_FULL_FLUSH)
    spaces = b" " * 2**20
    block = compressor.compress(spaces) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = zlib.adler32(PAGE_TEXT + b"\n")
    for _ in range(1024 * gib):
        checksum = zlib.adler32(spaces, checksum)
    body = head + block * (1024 * gib) + compressor.flush(zlib.Z_FINISH)
    return b"\x78\xda" + body + checksum.to_bytes(4, "big")


def zipped(members: dict[str, bytes], level: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
)
DOCX_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


def office_bombs() -> dict[str, bytes]:
    """Zip containers that inflate to 64 MiB from a few kB, and XML that declares entities."""
    spaces = b" " * 2**26
    word = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    laughs_docx = LAUGHS + word + b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body>"
    laughs_odt = LAUGHS + b'<office:document-content xmlns:office="urn:oasis:names:tc:'
    laughs_odt += b'opendocument:xmlns:office:1.0"><office:body>&lol9;</office:body>'
    return {
        "zip-bomb.docx": zipped({"[Content_Types].xml": DOCX_TYPES, "word/document.xml": spaces}),
        "zip-bomb.xlsx": zipped({f"xl/worksheets/sheet{i}.xml": spaces[: 2**24] for i in range(8)}),
        "billion-laughs.docx": zipped(
            {"[Content_Types].xml": DOCX_TYPES, "word/document.xml": laughs_docx + b"</w:document>"}
        ),
        "billion-laughs.odt": zipped(
            {
                "mimetype": b"application/vnd.oasis.opendocument.text",
                "content.xml": laughs_odt + b"</office:document-content>",
            }
        ),
        "password.xlsx": _ole(
            {"EncryptionInfo": b"\x04\x00\x04\x00" * 64, "EncryptedPackage": b"\x00" * 4096}
        ),
        "escapes.epub": zipped(
            {"mimetype": b"application/epub+zip", "../../escaped.xhtml": b"<p>out</p>"}
        ),
    }


def mime_bomb(parts: int = 10_000) -> bytes:
    head = b"From: a@example.org\nSubject: parts\nMIME-Version: 1.0\n"
    head += b'Content-Type: multipart/mixed; boundary="b"\n\n'
    part = b"--b\nContent-Type: text/plain\n\nx\n"
    return head + part * parts + b"--b--\n"


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` pixels; its few data bytes never get decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )  # fmt: skip


def tiff_frames(frames: int) -> bytes:
    """A little-endian TIFF of `frames` 1 x 1 bilevel frames sharing one strip: 1 MB."""
    tags = [(256, 3, 1), (257, 3, 1), (258, 3, 1), (259, 3, 1), (262, 3, 1), (273, 4, 8),
            (278, 3, 1), (279, 4, 1)]  # fmt: skip
    out = bytearray(b"II*\x00" + struct.pack("<I", 9) + b"\x00")  # strip at 8, first IFD at 9
    size = 2 + 12 * len(tags) + 4
    for frame in range(frames):
        at = len(out)
        following = at + size if frame + 1 < frames else 0
        out += struct.pack("<H", len(tags))
        for tag, kind, value in tags:
            out += struct.pack("<HHI", tag, kind, 1) + struct.pack("<I", value)
        out += struct.pack("<I", following)
    return bytes(out)


def build_hostile_corpus(corpus: Path, outside: Path) -> None:
    """Every file of EXPECTED, built from raw bytes in `corpus`."""
    write_files(corpus / "office", office_bombs())
    write_files(corpus / "mail", {"10000-parts.eml": mime_bomb()})
    write_files(
        corpus / "images",
        {"30000x30000.png": png_header(30_000, 30_000), "10000-frames.tiff": tiff_frames(10_000)},
    )
    write_files(outside, {"secret.txt": "Outside the corpus: must never be indexed."})
    write_files(
        corpus,
        {
            "good.txt": "The harbour master keeps the tide tables in the blue ledger.",
            "good.html": "<html><body><p>The ferry leaves at seven from pier four.</p></body>",
            "html/100000-nested-divs.html": "<div>" * 100_000
            + "Deep inside sits the lighthouse log."
            + "</div>" * 100_000,
            "text/1-MB-on-one-line.txt": "copper river signal winter " * 40_000,
            "text/1-MB-word.txt": "x" * 2**20,
        },
    )
    text = PAGE_TEXT
    pdfs = {
        "claims-2147483647-pages.pdf": one_page_pdf(
            b"<< /Type /Pages /Kids [3 0 R] /Count 2147483647 >>", deflated(zlib.compress(text))
        ),
        "6000-pages.pdf": one_page_pdf(
            b"<< /Type /Pages /Kids [" + b"3 0 R " * 6000 + b"] /Count 6000 >>",
            deflated(zlib.compress(text)),
        ),
        "page-tree-cycle.pdf": raw_pdf(
            CATALOG,
            b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
            PAGE,
            deflated(zlib.compress(text)),
            FONT,
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        ),
        "inflates-to-1-GiB.pdf": one_page_pdf(
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", deflated(spaces_bomb())
        ),
    }
    write_files(corpus / "pdf", pdfs)
    (corpus / "text").mkdir(exist_ok=True)
    with open(corpus / "text/1-GiB.txt", "wb") as sparse:
        sparse.truncate(2**30)  # sparse: a 1 GiB file that takes no disk space
    links = corpus / "links"
    links.mkdir()
    (links / "outside.txt").symlink_to(outside / "secret.txt")
    (links / "outside-folder").symlink_to(outside)
    (links / "dev-zero.txt").symlink_to("/dev/zero")
    os.mkfifo(links / "fifo.txt")
    names = corpus / "names"
    names.mkdir()
    for name in ("escape\x1b[31mred.txt", "new\nline.md"):
        (names / name).write_text("A file with a hostile name.")
    latin1 = os.open(bytes(names) + b"/latin1-\xe9.txt", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(latin1, b"A file whose name is Latin-1, not UTF-8.")
    os.close(latin1)


INGEST_WITH_FAKE_EMBEDDER = """
import resource, sys
import app.ingest.pipeline
from app.cli import main
from tests.conftest import FakeEmbedder

app.ingest.pipeline.load_embedder = lambda *args, **kwargs: FakeEmbedder()
code = main(sys.argv[1:])
# This process's own peak from /proc: getrusage(RUSAGE_SELF) would report the test runner's,
# which Linux carries over into a forked child. Then the extraction worker's.
status = open("/proc/self/status").read()
own = int(status.split("VmHWM:")[1].split()[0])
print(max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss), file=sys.stderr)  # KiB
sys.exit(code)
"""


def _docqa_ingest(corpus: Path, index: Path, *flags: str) -> tuple[str, float, float]:
    """`docqa ingest` in a child process: its output, seconds, and peak memory (MiB) of it
    and its extraction worker."""
    env = {
        **os.environ,
        "DOCQA_FILE_TIMEOUT": str(TIMEOUT_S),
        "DOCQA_EXTRACT_MEMORY_MB": str(MEMORY_MB),
    }
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-c", INGEST_WITH_FAKE_EMBEDDER, "ingest", str(corpus),
         "--index", str(index), *flags],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()
    assert b"Traceback" not in err
    peak_kib = int(err.decode().split()[-1])
    return out.decode(), time.monotonic() - started, peak_kib / 1024


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    build_hostile_corpus(root / "corpus", root / "outside")
    out, seconds, peak_mib = _docqa_ingest(root / "corpus", root / "index", "--json")
    return root, json.loads(out), seconds, peak_mib


@pytest.mark.parametrize("name", list(EXPECTED), ids=[repr(n)[1:-1] for n in EXPECTED])
def test_each_hostile_file_is_indexed_or_reported_with_its_reason(hostile_run, name):
    _, report, _, _ = hostile_run
    reasons = {s["path"]: s["reason"] for s in report["files_skipped"]}
    expected = EXPECTED[name]
    if expected == "indexed":
        assert name in report["files_indexed"], reasons.get(name)
    else:
        assert name in reasons, f"{name!r} was neither skipped nor reported"
        phrases = expected if isinstance(expected, tuple) else (expected,)
        assert any(phrase in reasons[name] for phrase in phrases), reasons[name]


def test_the_run_is_bounded_and_the_index_holds_only_the_good_files(hostile_run):
    root, report, seconds, peak_mib = hostile_run
    assert seconds < 90, "an ingest of hostile files must not hang"
    # The extraction worker is capped at MEMORY_MB; the ingest itself holds the texts and chunks.
    assert peak_mib < MEMORY_MB + 512
    assert check_index(root / "index") == []
    assert sorted(report["files_indexed"]) == sorted(
        k for k, v in EXPECTED.items() if v == "indexed"
    )
    listed = set(report["files_indexed"]) | {s["path"] for s in report["files_skipped"]}
    assert listed == set(EXPECTED)  # nothing escaped the report, nothing outside was read
    assert "secret.txt" not in json.dumps(report)


def test_the_report_in_a_terminal_cannot_be_forged_by_a_file_name(hostile_run):
    root, _, _, _ = hostile_run
    out, _, _ = _docqa_ingest(root / "corpus", root / "index")
    assert "\x1b" not in out and "names/escape\\x1b[31mred.txt" in out
    assert "names/new\\x0aline.md: file name contains control characters" in out
    assert "skipped names/latin1-\ufffd.txt: file name is not valid UTF-8" in out


def test_legitimate_extremes_keep_their_text(hostile_run):
    root, _, _, _ = hostile_run
    reader = open_index(root / "index")
    assert reader.page_text("html/100000-nested-divs.html", None) == (
        "Deep inside sits the lighthouse log."
    )
    assert "Hello from a hostile page" in reader.page_text("pdf/claims-2147483647-pages.pdf", 1)
    assert reader.page_text("pdf/claims-2147483647-pages.pdf", 2) is None
    line = reader.page_text("text/1-MB-on-one-line.txt", None)
    assert line == "copper river signal winter " * 40_000


def test_a_pdf_that_takes_too_long_is_stopped_at_the_time_limit(tmp_path):
    """60 MB of text operators: within pypdf's limits, but slow to parse. The worker is killed
    at the limit and the next file is read by a fresh one."""
    operators = b"BT /F1 12 Tf 72 720 Td " + b"(A) Tj " * 8_500_000 + b"ET"
    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    write_files(tmp_path, {"slow.pdf": one_page_pdf(pages, deflated(zlib.compress(operators)))})
    write_files(tmp_path, {"fine.txt": "A fine little file."})
    with ExtractionSandbox(timeout=1, memory_mb=MEMORY_MB, max_pages=5000) as sandbox:
        started = time.monotonic()
        with pytest.raises(ExtractionError, match=r"longer than 1 s"):
            sandbox.extract(tmp_path / "slow.pdf")
        assert time.monotonic() - started < 3
        sandbox.timeout = 30
        assert sandbox.extract(tmp_path / "fine.txt")[0].text == "A fine little file."


def test_a_file_that_needs_more_memory_than_the_cap_is_skipped(tmp_path):
    """The worker's address space is capped (RLIMIT_AS): 60 MB of text cannot be decoded in
    128 MiB, so it is refused, and the same worker goes on with the next file."""
    write_files(tmp_path, {"big.txt": "word " * 12_000_000, "fine.txt": "A fine little file."})
    with ExtractionSandbox(timeout=30, memory_mb=128, max_pages=5000) as sandbox:
        with pytest.raises(ExtractionError, match="more memory than the extraction limit"):
            sandbox.extract(tmp_path / "big.txt")
        assert sandbox.extract(tmp_path / "fine.txt")[0].text == "A fine little file."


def test_a_document_with_scripts_is_served_as_plain_text_whatever_its_type(settings, real_embedder):
    """Citation links serve corpus files; HTML of any flavour must never run in docqa's origin.
    `.xhtml` used to go out as application/xhtml+xml, which a browser renders."""
    page = '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Tide tables.</p>'
    page += "<script>alert(document.cookie)</script></body></html>"
    write_files(settings.corpus, {"page.xhtml": page, "page.html": page, "notes.md": "# Tides"})
    engine = indexed_engine(settings, real_embedder)
    client = TestClient(create_app(engine))
    for name in ("page.xhtml", "page.html", "notes.md"):
        response = client.get(f"/files/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain"), name
        assert response.headers["content-security-policy"] == "sandbox"
        assert response.headers["x-content-type-options"] == "nosniff"
