"""Dates written in digits, read as words: "04/03/2025" holds "4 March", asked for as "4 march".

A timetable, a statement or a record writes its dates in digits ("04/03/2025", "2025-03-04",
"4.3.25"), and a person asks in words: "what time is piano on 4 march", "what did I spend on
the 19th". A table row is named by the question's words it holds (app.answer.tables), and
neither "4" nor "march" is a word of "04/03/2025", so another row's time answered. Each date in
digits is read for that match: a question names it with its day (or ordinal day, "4th") and
its month's name together. A date that reads both ways (03/04: 3 April in Britain, March 4 in
the United States) is read both ways: the question names one date, and a row that can be read
as it is named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()
_ISO = r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"  # 2025-03-04
_DIGITS = r"(?P<first>\d{1,2})(?P<mark>[/.-])(?P<second>\d{1,2})(?P=mark)(?:\d{4}|\d{2})"
_NUMERIC_DATE = re.compile(rf"(?<![\d.,/£$€-])(?:{_ISO}|{_DIGITS})(?![\d/-]|\.\d)")


def date_words(words: Iterable[str], text: str) -> list[str]:
    """Those of the question's `words` (lower case) that name a date of `text` written in
    digits: its day, as a number or an ordinal, and its month, by name or its first three
    letters; both or none ("4" alone names no date, nor "march" alone)."""
    asked = set(words)
    named: list[str] = []
    for day, month in _read(text):
        days = {str(day), _ordinal(day)} & asked
        months = {MONTH_NAMES[month - 1], MONTH_NAMES[month - 1][:3]} & asked
        if days and months:
            named += [w for w in [*days, *months] if w not in named]
    return named


def _read(text: str) -> list[tuple[int, int]]:
    """(day, month) of each date of `text` written in digits, once for each way it reads."""
    readings = []
    for found in _NUMERIC_DATE.finditer(text):
        if found["year"]:
            both = [(int(found["day"]), int(found["month"]))]
        else:
            first, second = int(found["first"]), int(found["second"])
            both = [(first, second), (second, first)]
        readings += [(d, m) for d, m in dict.fromkeys(both) if 1 <= d <= 31 and 1 <= m <= 12]
    return readings


def _ordinal(day: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"
