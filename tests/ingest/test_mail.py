"""E-mail through the real ingest: headers and body on page 1, attachments as labelled pages."""

import io
from email.message import EmailMessage

from tests.ingest.indexed import entry, ingest_files, skipped, stored_pages


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Ana Lima <ana@example.org>"
    message["To"] = "Ben Ode <ben@example.org>"
    message["Date"] = "Tue, 03 Mar 2026 10:15:00 +0000"
    message["Subject"] = "Plot fees for 2027"
    message.set_content("Hello Ben,\n\nThe annual fee for a full plot will be 120 pounds.\n\nAna")
    return message


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_eml_headers_body_and_attachments(settings, fake_embedder):
    message = _message()
    message.add_attachment(
        _docx("Half plots cost 65 pounds a year."),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="fees.docx",
    )
    message.add_attachment(b"\x00\x01binary", maintype="application", subtype="octet-stream",
                           filename="blob.bin")  # fmt: skip
    report = ingest_files(settings, fake_embedder, {"fees.eml": message.as_bytes()})
    assert report.files_indexed == ["fees.eml"], skipped(report)
    pages = stored_pages(settings, "fees.eml")
    assert pages[1].startswith(
        "Plot fees for 2027\n\n- From: Ana Lima <ana@example.org>\n- To: Ben Ode <ben@example.org>"
        "\n- Date: Tue, 03 Mar 2026 10:15:00 +0000\n\nHello Ben,"
    )
    assert "The annual fee for a full plot will be 120 pounds." in pages[1]
    assert "- Attachment: fees.docx" in pages[1]
    assert "- Attachment blob.bin: not read (unsupported type .bin)" in pages[1]
    assert pages[2] == "Half plots cost 65 pounds a year."
    assert entry(settings, "fees.eml").page_labels == {"2": "attachment fees.docx"}


def test_html_only_mail_gives_its_visible_text(settings, fake_embedder):
    message = _message()
    message.set_content("<html><body><h1>Fees</h1><p>Sheds cost extra.</p></body></html>",
                        subtype="html")  # fmt: skip
    ingest_files(settings, fake_embedder, {"html.eml": message.as_bytes()})
    assert stored_pages(settings, "html.eml")[1].endswith("Fees\n\nSheds cost extra.")


def test_msg_is_read(settings, fake_embedder, shared_eval):
    data = (shared_eval / "office-docs" / "fake-email-attachment.msg").read_bytes()
    report = ingest_files(settings, fake_embedder, {"mail.msg": data})
    assert report.files_indexed == ["mail.msg"], skipped(report)
    pages = stored_pages(settings, "mail.msg")
    assert pages[1].startswith('Fake email with attachment\n\n- From: "Mallori Harrell"')
    assert pages[2] == "Hey this is a fake attachment!"
    assert entry(settings, "mail.msg").page_labels == {"2": "attachment fake-attachment.txt"}


def test_the_html_part_is_read_where_the_plain_part_says_far_less(settings, fake_embedder):
    """A plain part that only points to the HTML one would leave the booking's details out;
    where both say the same, the plain part is read."""
    stub, full = _message(), _message()
    said = "A full plot costs 120 pounds a year and a half plot 65 pounds."
    html = f"<html><body><h1>Fees</h1><p>{said}</p><p>Sheds cost 15 pounds extra.</p></body></html>"
    stub.set_content("View this e-mail in your browser.")
    stub.add_alternative(html, subtype="html", cte="quoted-printable")
    full.add_alternative(html, subtype="html")
    files = {"stub.eml": stub.as_bytes(), "full.eml": full.as_bytes()}
    ingest_files(settings, fake_embedder, files)
    stubbed = stored_pages(settings, "stub.eml")[1]
    assert stubbed.endswith(f"Fees\n\n{said}\n\nSheds cost 15 pounds extra.")
    assert "View this e-mail" not in stubbed
    both = stored_pages(settings, "full.eml")[1]
    assert both.endswith("The annual fee for a full plot will be 120 pounds.\n\nAna")
