"""Calendar files and e-mail invitations: each event as its calendar shows it."""

import contextlib
from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import Engine
from app.ingest.errors import ExtractionError
from app.ingest.formats import calendar
from app.ingest.pipeline import ingest
from tests.conftest import assert_verbatim
from tests.ingest.indexed import entry, ingest_files, skipped, stored_pages

CHECK_UP = (
    "BEGIN:VEVENT\r\nUID:1@harbour\r\nSUMMARY:Dental check-up with Dr Hamid\r\n"
    "DTSTART;TZID=Europe/London:20251014T094000\r\nDTEND;TZID=Europe/London:20251014T102000\r\n"
    "LOCATION:Harbour Dental Practice\\, 12 Quay Street\\, Bristol BS1 4DJ\r\n"
    'ORGANIZER;CN="Harbour Dental":mailto:bookings@harbour.example\r\n'
    "DESCRIPTION:Please arrive 10 minutes early.\\nTo cancel\\, call 0117 496 00\r\n"
    " 21 at least 48 hours before.\r\n"
    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT1H\r\nEND:VALARM\r\n"
    "END:VEVENT\r\n"
)
OTHERS = (
    "BEGIN:VEVENT\r\nSUMMARY:Half term\r\nDTSTART;VALUE=DATE:20251027\r\n"
    "DTEND;VALUE=DATE:20251101\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nSUMMARY:Swimming\r\nDTSTART:20250506T160000Z\r\nDTEND:20250506T163000Z\r\n"
    "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=10\r\nEND:VEVENT\r\n"
)


def _calendar(events: str) -> bytes:
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n".encode()


def test_each_event_reads_as_a_heading_and_its_label_lines(settings, fake_embedder):
    """Folded lines unfolded, escapes undone, the alarm's description left out."""
    report = ingest_files(settings, fake_embedder, {"family.ics": _calendar(CHECK_UP + OTHERS)})
    assert report.files_indexed == ["family.ics"], skipped(report)
    assert stored_pages(settings, "family.ics")[None] == (
        "Dental check-up with Dr Hamid\n\n- Date: Tuesday 14 October 2025\n"
        "- Time: 09:40 to 10:20 (Europe/London)\n"
        "- Location: Harbour Dental Practice, 12 Quay Street, Bristol BS1 4DJ\n"
        "- Organiser: Harbour Dental <bookings@harbour.example>\n\n"
        "Please arrive 10 minutes early.\nTo cancel, call 0117 496 0021 at least 48 hours before."
        "\n\nHalf term\n\n- Date: Monday 27 October 2025 to Friday 31 October 2025\n\n"
        "Swimming\n\n- Date: Tuesday 6 May 2025\n- Time: 16:00 to 16:30 (UTC)\n"
        "- Repeats: weekly on Tuesday, 10 times"
    )


def test_an_invitation_sent_as_another_form_of_the_body_is_read(settings, fake_embedder):
    message = EmailMessage()
    message["From"] = "Harbour Dental <bookings@harbour.example>"
    message["Subject"] = "Invitation: Dental check-up"
    message.set_content("You have been invited.")
    message.add_alternative(_calendar(CHECK_UP).decode(), subtype="calendar")
    forward = EmailMessage()
    forward["Subject"] = "Fwd: Invitation: Dental check-up"
    forward.set_content("See below.")
    forward.add_attachment(message)
    files = {"invite.eml": message.as_bytes(), "forward.eml": forward.as_bytes()}
    ingest_files(settings, fake_embedder, files)
    pages = stored_pages(settings, "invite.eml")
    assert pages[1].endswith("You have been invited.\n\n- Attachment: invitation.ics")
    assert pages[2].startswith("Dental check-up with Dr Hamid\n\n- Date: Tuesday 14 October 2025")
    assert entry(settings, "invite.eml").page_labels == {"2": "attachment invitation.ics"}
    forwarded = stored_pages(settings, "forward.eml")  # the event once, in the forwarded message
    assert sum("Dental check-up with Dr Hamid" in text for text in forwarded.values()) == 1


def test_when_and_where_of_an_appointment_come_from_its_invitation(settings, real_embedder):
    (settings.corpus / "appointment.ics").write_bytes(_calendar(CHECK_UP + OTHERS))
    ingest(settings, embedder=real_embedder)
    engine = Engine(settings)
    for question, expected in [
        ("What time is the dental check-up?", "09:40 to 10:20"),
        (
            "Where is the dental check-up?",
            "Harbour Dental Practice, 12 Quay Street, Bristol BS1 4DJ",
        ),
    ]:
        answer = engine.ask(question)
        assert answer.answer is not None and expected in answer.answer, (question, answer.answer)
        assert_verbatim(answer, engine.reader())


@settings(max_examples=300, deadline=None)
@given(st.text('BEGIN:VEVENTDSARLOC;TZID="a:b"=20250101T0900Z\r\n \\,;:=RUFQWKYMO', max_size=300))
def test_any_damaged_calendar_reads_or_is_refused_with_a_reason(body):
    """No error but ExtractionError, whose reason the ingest report gives."""
    with contextlib.suppress(ExtractionError):
        calendar.read(_calendar(f"BEGIN:VEVENT\r\n{body}"), ".ics", 10)
