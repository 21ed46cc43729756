"""A spreadsheet cell's number as the sheet shows it: "£62.50", "10%", "28/04/2025", "4:30 PM".

A workbook stores 62.5 and a format, '"£"#,##0.00', and its reader sees "£62.50". Read as the
stored number, a fee was "62.5", a discount "0.1", a class time "16:30:00" and a date
"2025-04-28", none of them the words a person asks about or expects back. The common formats
are read here: fixed decimals with or without thousands separators, currency and other literal
text around them, percentages, negatives in brackets, and dates and times. Anything else
(scientific notation, fractions, conditions, elapsed time) keeps the stored value, as before.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

MAX_FORMAT_CHARS = 255  # Excel's own limit on a number format


class Shown(str):
    """A number, date or time cell's text as the sheet shows it: a value still
    (`headers.is_value`), though it is text."""


_QUOTED = r'"[^"]*"|\\.'
_NUMBER_TOKEN = re.compile(
    rf"{_QUOTED}|\[\$([^\]-]*)(?:-[^\]]*)?\]|\[[^\]]*\]|_.|\*.|[#0,]*0[#0,]*(?:\.0*#*)?|[#,]+|."
)
_DATE_TOKEN = re.compile(
    rf"{_QUOTED}|\[\$[^\]]*\]|\[[^\]]*\]|_.|\*.|am/pm|a/p|yyyy|yy|m{{1,5}}|d{{1,4}}|h{{1,2}}"
    r"|s{1,2}|\.0+|e|.",
    re.I,
)
_COLOUR = r"\[(?:black|blue|cyan|green|magenta|red|white|yellow|colou?r\s*\d+)\]"
_LITERAL = re.compile(rf"{_QUOTED}|\[\$[^\]]*\]|{_COLOUR}", re.I)  # text, currency, colour
_UNREAD = re.compile(r"[?/Ee@\[]")  # fractions, exponents, text, conditions ("[<100]")
_DATE_PART = re.compile(r"[ymdhs]", re.I)
_SCALED = re.compile(r"[0#],+(?![0#])")  # a comma after the digits divides by a thousand
_MONTHS = "January February March April May June July August September October November December"
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"


def shown(value: object, number_format: str | None) -> object:
    """`value` as a `Shown` text in `number_format`, where the format is one read here;
    else `value` itself."""
    if not number_format or number_format in ("General", "@") or isinstance(value, bool):
        return value
    if len(number_format) > MAX_FORMAT_CHARS:  # longer than Excel allows: a damaged file
        return value
    try:
        if isinstance(value, dt.date | dt.time):
            text = _date(value, _section(number_format, 0))
        elif isinstance(value, int | float):
            text = _number(value, number_format)
        else:
            return value
    except (ValueError, InvalidOperation, OverflowError):
        return value
    return value if text is None else Shown(text)


@lru_cache(maxsize=256)
def _section(number_format: str, n: int) -> str | None:
    """Section `n` of a format's positive;negative;zero;text sections (a ";" in quotes or
    after a backslash is text)."""
    sections = [""]
    for piece in re.finditer(rf"{_QUOTED}|.", number_format):
        if piece.group() == ";":
            sections.append("")
        else:
            sections[-1] += piece.group()
    return sections[n] if n < len(sections) else None


def _number(value: float, number_format: str) -> str | None:
    """A number in its format's first section, or its second for a negative number (which
    then shows no sign of its own: "(81)"); None when the section holds what is not read."""
    negative = _section(number_format, 1) if value < 0 else None
    parts = _number_parts(negative or _section(number_format, 0))
    if parts is None:
        return None
    pieces, percent = parts
    number = Decimal(repr(abs(value) if negative else value)) * (100 if percent else 1)
    text = "".join(_digits(number, piece) if digits else piece for digits, piece in pieces)
    return text.strip() or None


@lru_cache(maxsize=256)
def _number_parts(section: str | None) -> tuple[tuple[tuple[bool, str], ...], bool] | None:
    """A number format section's pieces, each (whether it is the digits' pattern, its text),
    and whether it shows a percentage; None when it holds what is not read here."""
    unquoted = _LITERAL.sub("", section or "")
    if section is None or _DATE_PART.search(unquoted) or _UNREAD.search(unquoted):
        return None
    if _SCALED.search(unquoted):  # '#,##0,,"M"' shows millions: not read here
        return None
    pieces = []
    for token in _NUMBER_TOKEN.finditer(section):
        text = token.group()
        if token.group(1) is not None:  # [$£-809]: the currency symbol
            pieces.append((False, token.group(1)))
        elif text.startswith('"'):
            pieces.append((False, text[1:-1]))
        elif text.startswith("\\"):
            pieces.append((False, text[1:]))  # nothing for a lone backslash at the end
        elif not text.startswith(("[", "_", "*")):  # colours, padding, fill
            pieces.append(("0" in text or "#" in text, text))
    return tuple(pieces), "%" in unquoted


def _digits(number: Decimal, pattern: str) -> str:
    """`number` rounded as `pattern` ("#,##0.00") says, with its thousands separators."""
    decimals = len(pattern.partition(".")[2].rstrip("#"))
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{rounded:{',' if ',' in pattern else ''}.{decimals}f}"


def _date(value: dt.date | dt.time, section: str | None) -> str | None:
    """A date or time in a date format's section; None where the section is not read here."""
    parts = _date_parts(section)
    if parts is None:
        return None
    pieces, twelve = parts
    return "".join(_date_piece(value, code, text, twelve) for code, text in pieces).strip()


@lru_cache(maxsize=256)
def _date_parts(section: str | None) -> tuple[tuple[tuple[str, str], ...], bool] | None:
    """A date format section's pieces, each (its code: "" for text, "M" for minutes, else the
    token's letter, "ampm" for the mark of a twelve-hour time; its text), and whether it shows
    a twelve-hour time; None for an elapsed time ("[h]:mm") or a section with no date part."""
    if (
        section is None
        or re.search(r"\[[hms]+\]", section, re.I)
        or not _DATE_PART.search(re.sub(rf"{_QUOTED}|\[[^\]]*\]", "", section))
    ):
        return None
    tokens = [t.group() for t in _DATE_TOKEN.finditer(section)]
    marks = [t.lower() in ("am/pm", "a/p") for t in tokens]
    kinds = [
        t.lower()[0] if t[0].isalpha() and not mark else ""
        for t, mark in zip(tokens, marks, strict=True)
    ]
    pieces = []
    for n, (token, mark) in enumerate(zip(tokens, marks, strict=True)):
        if mark:
            pieces.append(("ampm", token))
        elif token.startswith('"'):
            pieces.append(("", token[1:-1]))
        elif token.startswith("\\"):
            pieces.append(("", token[1:]))
        elif token.startswith(("[", "_", "*", ".")) or token.lower() == "e":
            continue  # locale, padding, fill, fractions of a second
        elif not kinds[n]:
            pieces.append(("", token))
        else:
            pieces.append(("M" if _is_minutes(kinds, n) else kinds[n], token.lower()))
    return tuple(pieces), any(marks)


def _is_minutes(kinds: list[str], n: int) -> bool:
    """Whether the "m" token `n` is minutes: after an hour or before a second."""
    if kinds[n] != "m":
        return False
    before = next((k for k in reversed(kinds[:n]) if k), "")
    after = next((k for k in kinds[n + 1 :] if k), "")
    return before == "h" or after == "s"


def _date_piece(value: dt.date | dt.time, code: str, token: str, twelve: bool) -> str:
    """One piece of `_date_parts` for `value`."""
    when = value if isinstance(value, dt.datetime | dt.time) else None
    hour, minute, second = (when.hour, when.minute, when.second) if when else (0, 0, 0)
    if not code:
        return token
    if code == "ampm":
        mark = "AM" if hour < 12 else "PM"
        return mark if len(token) > 3 else mark[0]
    if code in "hMs":
        shown = {"h": (hour % 12 or 12) if twelve else hour, "M": minute, "s": second}[code]
        return f"{shown:0{min(len(token), 2)}d}"
    if not isinstance(value, dt.date):
        return ""
    if code == "y":
        return f"{value.year:04d}" if len(token) > 2 else f"{value.year % 100:02d}"
    if code == "m":
        name = _MONTHS.split()[value.month - 1]
        return {1: str(value.month), 2: f"{value.month:02d}", 3: name[:3], 4: name}.get(
            len(token), name[0]
        )
    name = _DAYS.split()[value.weekday()]  # code "d"
    return {1: str(value.day), 2: f"{value.day:02d}", 3: name[:3]}.get(len(token), name)
