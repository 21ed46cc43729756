"""E-mail (.eml with the standard library, Outlook .msg with python-oxmsg).

Page 1 is the message: the subject as a heading, then From, To, Cc and Date one per line, then
the body (the plain-text part, or the HTML part's visible text where the plain part is missing
or says far less). Each attachment of a type docqa reads becomes pages of its own after it,
labelled "attachment NAME" (with the attachment's own page or slide when it has several), so
one file stays one source while a citation still names the attachment; so does an invitation's
event (`calendar`), though it is sent as another form of the body. The number of MIME parts,
attachments and the nesting of forwarded messages are bounded.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from pathlib import PurePath

from app.ingest.errors import ExtractionError
from app.ingest.formats.layout import HEADING, ITEM, PARAGRAPH, join_blocks
from app.ingest.formats.text import clean_text, decode_bytes, html_text
from app.ingest.formats.text_tables import text_tables
from app.records import Page

SUFFIXES = {".eml", ".msg"}
EMPTY_REASON = "no text in the message (no body and no readable attachment)"
MAX_PARTS = 1000
MAX_ATTACHMENTS = 100
MAX_DEPTH = 3  # forwarded messages inside forwarded messages
RICHER_HTML = 0.5  # the HTML part is read when the plain one has under half of its words
_BOUNDARY_LINE = re.compile(rb"(?m)^--[!-~]{1,100}\r?$")  # "--boundary" or "--boundary--"
ENCRYPTED_REASON = "encrypted e-mail (S/MIME or PGP); it cannot be read without the key"
_ENCRYPTED = {"application/pkcs7-mime", "application/x-pkcs7-mime", "multipart/encrypted"}


def read(data: bytes, suffix: str, max_pages: int, depth: int = 0) -> list[Page]:
    if suffix == ".msg":
        headers, body, attachments = _msg_parts(data)
    else:
        headers, body, attachments = _eml_parts(data, depth)
    if not body.strip() and any(
        n.lower().endswith((".p7m", ".pgp-encrypted")) for n, _ in attachments
    ):
        raise ExtractionError(ENCRYPTED_REASON)
    blocks = [(HEADING, headers.pop("Subject", "") or "")]
    blocks += [(ITEM, f"{name}: {value}") for name, value in headers.items() if value]
    blocks += [(PARAGRAPH, paragraph) for paragraph in clean_text(body).split("\n\n")]
    pages: list[Page] = []
    notes: list[tuple[str, str]] = []
    for name, payload in attachments[:MAX_ATTACHMENTS]:
        try:
            found = _attachment_pages(name, payload, max_pages - 1 - len(pages), depth)
        except ExtractionError as exc:
            notes.append((ITEM, f"Attachment {name}: not read ({exc})"))
            continue
        notes.append((ITEM, f"Attachment: {name}"))
        pages.extend(found)
    message = Page(1, join_blocks(blocks + notes))
    numbered = [dataclasses.replace(p, number=n) for n, p in enumerate(pages, start=2)]
    return [message, *numbered]


def _attachment_pages(name: str, payload: bytes, room: int, depth: int) -> list[Page]:
    from app.ingest.extract import READERS

    suffix = PurePath(name).suffix.lower()
    if suffix not in READERS:
        raise ExtractionError(f"unsupported type {suffix or '(none)'}")
    if room < 1:
        raise ExtractionError("the message already has as many pages as allowed")
    if suffix == ".eml":
        if depth >= MAX_DEPTH:
            raise ExtractionError("forwarded messages nested too deeply")
        found = read(payload, suffix, room, depth + 1)
    else:
        found = READERS[suffix].read(payload, suffix, room)
    found = [p for p in found if p.text.strip()]
    if len(found) > room:
        raise ExtractionError("more pages than the limit allows")
    label = f"attachment {name}"
    return [
        dataclasses.replace(p, number=None, label=f"{label}, {p.label or f'page {p.number}'}"
                            if len(found) > 1 else label)
        for p in found
    ]  # fmt: skip


def _eml_parts(data: bytes, depth: int):
    import email
    from email import policy

    # Parsing costs about a millisecond per part: count the boundary lines first.
    if len(_BOUNDARY_LINE.findall(data)) > 2 * MAX_PARTS + 2:
        raise ExtractionError(f"e-mail has too many MIME parts (> {MAX_PARTS})")

    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:1024]:
        text = _utf16(data).decode("utf-16", errors="replace")
        message = email.message_from_string(text, policy=policy.default)
    else:
        message = email.message_from_bytes(data, policy=policy.default)
    for parts, _ in enumerate(message.walk(), start=1):
        if parts > MAX_PARTS:
            raise ExtractionError(f"e-mail has too many MIME parts (> {MAX_PARTS})")
    if message.defects and not message.keys():
        raise ExtractionError("not an e-mail message (no headers)")
    headers = {name: _header(message, name) for name in ("Subject", "From", "To", "Cc", "Date")}
    body = _body(message)
    if not body.strip() and message.get_content_type() in _ENCRYPTED:
        raise ExtractionError(ENCRYPTED_REASON)
    attachments = []
    attached: set[int] = set()
    for part in message.iter_attachments():
        attached.add(id(part))
        name = part.get_filename()
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            payload = inner[0].as_bytes() if isinstance(inner, list) and inner else b""
            name = name or "forwarded message.eml"
            attachments.append((name if name.endswith(".eml") else name + ".eml", payload))
        elif name and part.get_content_disposition() != "inline":
            attachments.append((name, part.get_payload(decode=True) or b""))
    for part in _own_parts(message):  # an invitation's event, sent as an alternative to the body
        if part.get_content_type() == "text/calendar" and id(part) not in attached:
            name = part.get_filename() or "invitation.ics"
            attachments.append((name, part.get_payload(decode=True) or b""))
    return headers, body, attachments


def _own_parts(message) -> Iterator:
    """The leaf parts of `message`, not those of the messages forwarded in it (each is read
    as an attachment of its own)."""
    stack = [message]
    while stack:
        part = stack.pop()
        if part.get_content_type() == "message/rfc822":
            continue
        if part.is_multipart():
            stack.extend(reversed(part.get_payload()))
        else:
            yield part


def _body(message) -> str:
    """The body's text (`richer`) of an .eml's plain-text and HTML parts."""
    parts = [message.get_body(preferencelist=(kind,)) for kind in ("plain", "html")]
    return richer(*(_part_text(part) if part is not None else "" for part in parts))


def richer(plain: str, html: str) -> str:
    """The text of a message's plain-text part, or of its HTML part's where that says far more
    (RICHER_HTML): a plain part that only says "View this e-mail in your browser", or sums up
    a booking whose details are in the HTML alone, would leave questions about them
    unanswered."""
    return html if len(html.split()) * RICHER_HTML > len(plain.split()) else plain


def _utf16(data: bytes) -> bytes:
    """UTF-16 without a byte order mark, told by where the NULs of ASCII headers fall."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data
    return (b"\xff\xfe" if data[1:2] == b"\x00" else b"\xfe\xff") + data


def _header(message, name: str) -> str:
    try:
        value = message.get(name)
        return " ".join(str(value).split()) if value is not None else ""
    except Exception:  # a malformed header (bad encoded word, bad date) keeps its raw text
        raw = message.get_all(name, failobj=[""], )  # fmt: skip
        return " ".join(str(raw[0]).split())


def _part_text(part) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError, ValueError):
        raw = part.get_payload(decode=True) or b""
        content = decode_bytes(raw) if raw else ""
    if isinstance(content, bytes):
        content = decode_bytes(content)
    return html_text(content) if part.get_content_subtype() == "html" else text_tables(content)


def _msg_parts(data: bytes):
    from oxmsg import Message

    try:
        message = Message.load(io.BytesIO(data))
        headers_in = message.message_headers or {}
        html = message.html_body or ""
        html = html_text(html if isinstance(html, str) else decode_bytes(html)) if html else ""
        body = richer(message.body or "", html)
        attachments = [
            (a.file_name or "attachment", a.file_bytes or b"")
            for a in message.attachments[:MAX_ATTACHMENTS]
        ]
    except ExtractionError:
        raise
    except Exception as exc:  # python-oxmsg raises many kinds of errors on damaged files
        raise ExtractionError(f"corrupt Outlook message ({type(exc).__name__}: {exc})") from exc
    headers = {
        "Subject": message.subject or headers_in.get("Subject", ""),
        "From": message.sender or headers_in.get("From", ""),
        "To": headers_in.get("To", ""),
        "Cc": headers_in.get("Cc", ""),
        "Date": headers_in.get("Date") or (str(message.sent_date) if message.sent_date else ""),
    }
    return {k: " ".join(str(v).split()) for k, v in headers.items()}, body, attachments
