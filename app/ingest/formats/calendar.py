"""Calendar files (.ics, the invitations that e-mail carries): each event as a heading and its
label lines, one page.

An appointment confirmation often says when and where only in its invitation: "DTSTART;TZID=
Europe/London:20251014T094000" is no text a question finds. Each event reads as its calendar
shows it: its summary as a heading, then "Date: Tuesday 14 October 2025", "Time: 09:40 to 10:20
(Europe/London)", "Location: ...", "Organiser: ...", then its description. Lines folded by the
format are unfolded and its escapes undone; an event's alarms are left out.
"""

from __future__ import annotations

import datetime as dt
import re

from app.ingest.errors import ExtractionError
from app.ingest.formats.layout import HEADING, ITEM, PARAGRAPH, join_blocks
from app.ingest.formats.text import clean_text, decode_bytes
from app.records import Page

SUFFIXES = {".ics"}
EMPTY_REASON = "no events in the calendar file"
MAX_EVENTS = 5000
_COMPONENTS = {"VEVENT", "VTODO"}
# A parameter's name holds no "=", so that a line of "=" fails in linear time; its value may
# hold ":" and ";" in quotes.
_PARAM = r'[^:;"=]*=(?:"[^"]*"|[^:;"]*)'
_LINE = re.compile(rf"^(?P<name>[A-Za-z0-9-]+)(?P<params>(?:;{_PARAM})*):(?P<value>.*)$")
_STAMP = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?Z?)?$")
_WEEKDAYS = "MO TU WE TH FR SA SU".split()
_FREQUENCIES = {"DAILY": "daily", "WEEKLY": "weekly", "MONTHLY": "monthly", "YEARLY": "yearly"}


def read(data: bytes, suffix: str, max_pages: int) -> list[Page]:
    events = _events(decode_bytes(data))
    if len(events) > MAX_EVENTS:
        raise ExtractionError(f"too many events ({len(events)} > {MAX_EVENTS})")
    blocks: list[tuple[str, str]] = []
    for event in events:
        blocks += _event_blocks(event)
    return [Page(None, join_blocks(blocks))]


def _events(text: str) -> list[dict[str, list[tuple[dict[str, str], str]]]]:
    """Each event's (or to-do's) properties: name -> [(parameters, value)], in file order;
    those of components inside it (alarms) left out."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    events: list[dict] = []
    depth = 0  # components open inside the current event
    current: dict | None = None
    for line in unfolded.splitlines():
        found = _LINE.match(line.strip())
        if found is None:
            continue
        name, value = found["name"].upper(), found["value"]
        if name == "BEGIN":
            if current is not None:
                depth += 1
            elif value.upper() in _COMPONENTS:
                current, depth = {}, 0
        elif name == "END" and current is not None:
            if depth:
                depth -= 1
            else:
                events.append(current)
                current = None
        elif current is not None and not depth:
            current.setdefault(name, []).append((_params(found["params"]), value))
    return events


def _params(text: str) -> dict[str, str]:
    pairs = re.findall(r';([^=;]+)=("[^"]*"|[^;]*)', text)
    return {key.upper(): value.strip('"') for key, value in pairs}


def _event_blocks(event: dict) -> list[tuple[str, str]]:
    def first(name: str) -> str:
        return _unescape(event[name][0][1]) if name in event else ""

    blocks = [(HEADING, first("SUMMARY") or "Event")]
    start, end = event.get("DTSTART", [None])[0], event.get("DTEND", event.get("DUE", [None]))[0]
    blocks += [(ITEM, line) for line in _when(start, end)]
    if first("RRULE"):
        blocks.append((ITEM, f"Repeats: {_repeats(first('RRULE'))}"))
    for name, label in (("LOCATION", "Location"), ("STATUS", "Status"), ("URL", "Link")):
        if first(name):
            blocks.append((ITEM, f"{label}: {first(name)}"))
    for name, label in (("ORGANIZER", "Organiser"), ("ATTENDEE", "Attendees")):
        people = [_person(params, value) for params, value in event.get(name, [])]
        if people:
            blocks.append((ITEM, f"{label}: {', '.join(people)}"))
    description = clean_text(first("DESCRIPTION"))
    blocks += [(PARAGRAPH, part) for part in description.split("\n\n") if part.strip()]
    return blocks


def _when(start: tuple[dict, str] | None, end: tuple[dict, str] | None) -> list[str]:
    """ "Date: ..." and, for an event at a time of day, "Time: 09:40 to 10:20 (zone)"."""
    begins = _moment(start[1]) if start else None
    if begins is None:
        return []
    ends = _moment(end[1]) if end else None
    if isinstance(begins, dt.datetime):
        zone = start[0].get("TZID") or ("UTC" if start[1].strip().endswith("Z") else "")
        date = _date_text(begins)
        times = f"{begins:%H:%M}"
        if isinstance(ends, dt.datetime):
            if ends.date() == begins.date():
                times += f" to {ends:%H:%M}"
            else:
                date += f" to {_date_text(ends)}, {ends:%H:%M}"
        return [f"Date: {date}", f"Time: {times}" + (f" ({zone})" if zone else "")]
    last = ends - dt.timedelta(days=1) if isinstance(ends, dt.date) else None  # DTEND: after it
    if last is not None and last > begins:
        return [f"Date: {_date_text(begins)} to {_date_text(last)}"]
    return [f"Date: {_date_text(begins)}"]


def _moment(value: str) -> dt.date | dt.datetime | None:
    """A DATE ("20251027") or DATE-TIME ("20251014T094000", "...Z") value; None if neither."""
    found = _STAMP.match(value.strip())
    if found is None:
        return None
    year, month, day, *clock = (int(part or 0) for part in found.groups())
    try:
        if found[4] is None:
            return dt.date(year, month, day)
        return dt.datetime(year, month, day, *clock)
    except ValueError:
        return None


def _date_text(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _repeats(rule: str) -> str:
    """An RRULE in words where it is a simple one ("weekly on TU"), else as written."""
    parts = dict(part.partition("=")[::2] for part in rule.upper().split(";"))
    frequency = _FREQUENCIES.get(parts.get("FREQ", ""))
    if frequency is None:
        return rule
    days = [d[-2:] for d in parts.get("BYDAY", "").split(",") if d[-2:] in _WEEKDAYS]
    names = [dt.date(2024, 1, 1 + _WEEKDAYS.index(d)).strftime("%A") for d in days]
    words = frequency + (f" on {', '.join(names)}" if names else "")
    if "UNTIL" in parts and (until := _moment(parts["UNTIL"])) is not None:
        words += f" until {_date_text(until)}"
    elif parts.get("COUNT", "").isdigit():
        words += f", {parts['COUNT']} times"
    return words


def _person(params: dict[str, str], value: str) -> str:
    """A name and e-mail address ("Dr Hamid <hamid@example.org>"), or whichever is given."""
    address = re.sub(r"^mailto:", "", value.strip(), flags=re.I)
    name = params.get("CN", "").strip()
    return f"{name} <{address}>" if name and address else name or address


def _unescape(value: str) -> str:
    """TEXT as written: "\\n" a line break, "\\," a comma, "\\;" a semicolon."""
    return re.sub(r"\\([nN,;\\])", lambda m: "\n" if m[1] in "nN" else m[1], value).strip()
