"""A form's label lines, "Policy number: HX-4471-2290", as rows of two cells: a label and its
value. Tables and label lines share `Cell` (app.answer.tables reads both)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A line of a label and its value, as forms, data sheets and e-mail headers write them
# ("Fingerprint: asdfSa2123", "- Date: Mon, 09 Jan 2023"), is a row of two cells, the label
# naming the value as a header does. Both are short (LABEL_WORDS, VALUE_WORDS), so that prose
# with a colon ("Note: the boiler must be serviced by ...") stays prose for the reader, and
# such lines come in runs (a form's fields, an e-mail's From, To and Date): one alone is
# often a heading ("KX-500 cordless vacuum: technical data"). A line with a longer value (an
# invoice's "From: Copperpot Kitchen Supplies, Unit 3, ...") still makes a run, and is left to
# the reader.
LABEL_LINE = re.compile(
    r"^[ \t]*(?:- )?([^\W\d_](?:[\w ,/&'()%#+-]|\.(?!\.))*)(?::[ \t]+|\.{3,}[ \t]*(?=[^.]))"
    r"((?:[^ \t\n|][^\n|]*)?[^\s|])[ \t]*$",
    re.MULTILINE,
)  # indented too, as plain-text e-mails and PDFs set a form's fields; a value starts where
# the spaces after its colon end, or "x:" and 30,000 spaces take seconds (tests/answer). A
# price list's or a leaflet's dotted leader parts a label from its value as a colon does
# ("Car seats ........ No, for safety reasons"); a label holds no two dots running, so where
# it ends is plain.
# A label's line may hold more fields, each after a comma or a semicolon ("Wi-Fi network:
# OCF2025-Guest, password: civicdata25"; "Tel: 0117 496 0123; Fax: 0117 496 0124"): a row of
# such fields is a run of its own.
_NEXT_LABEL = re.compile(r"[,;][ \t]+([^\W\d_][\w .&'/()-]*?):[ \t]+(?=\S)")
LABEL_WORDS = 4  # not counting the little words of "Balance to pay on collection" (_LITTLE)
_LITTLE = frozenset("a an the of to on in at by for and or per".split())
VALUE_WORDS = 8
RUN_VALUE_WORDS = 16


@dataclass(frozen=True)
class Cell:
    header: str
    value: str
    start: int  # of the value, in the passage's text
    end: int
    # A label that holds every word of the question but those naming the document ("Total
    # due" for "What is the total due on the invoice?"): it answers from any passage.
    named_whole: bool = False
    # A label's value longer than VALUE_WORDS: too long to be the answer whole, it is left to
    # the reader, but a label that names the question better than it is no answer.
    too_long: bool = False


def line_around(text: str, at: int, to: int | None = None) -> tuple[int, int]:
    """The start and end offsets of the line of `text` that holds offset `at` (the lines from
    `at` to `to`, if given)."""
    end = text.find("\n", at if to is None else to)
    return text.rfind("\n", 0, at) + 1, end if end >= 0 else len(text)


def label_lines(text: str) -> Iterator[list[Cell]]:
    """Each field of each line of `text` that is a short label and its value, next to another
    such line or holding more fields than one, as a row of two cells, the label and the value
    (`Cell.too_long` when the value is longer than VALUE_WORDS)."""
    found = [
        line
        for line in LABEL_LINE.finditer(text)
        if _label_words(line.group(1)) <= LABEL_WORDS
        and len(line.group(2).split()) <= RUN_VALUE_WORDS
    ]
    for n, line in enumerate(found):
        before = n > 0 and found[n - 1].end() + 1 == line.start()
        after = n + 1 < len(found) and line.end() + 1 == found[n + 1].start()
        parts = fields(line)
        if before or after or len(parts) > 1:
            for label_start, label_end, value_start, value_end in parts:
                value = text[value_start:value_end]
                yield [
                    Cell("", text[label_start:label_end], label_start, label_end),
                    Cell(
                        "", value, value_start, value_end, too_long=len(value.split()) > VALUE_WORDS
                    ),
                ]


def _label_words(label: str) -> int:
    """How many words `label` has, of those that name something."""
    return sum(word.lower() not in _LITTLE for word in label.split())


def fields(line: re.Match[str]) -> list[tuple[int, int, int, int]]:
    """(label start, label end, value start, value end) of each field of a label's line
    (`LABEL_LINE`), offsets in the text it was found in; most lines hold one."""
    found = []
    label_start, value_start = line.start(1), line.start(2)
    label_end = label_start + len(line.group(1).rstrip())  # before a dotted leader's spaces
    for field in _NEXT_LABEL.finditer(line.string, line.start(2), line.end(2)):
        if _label_words(field.group(1)) <= LABEL_WORDS:
            found.append((label_start, label_end, value_start, field.start()))
            label_start, label_end, value_start = field.start(1), field.end(1), field.end()
    return [*found, (label_start, label_end, value_start, line.end(2))]


def field_at(text: str, at: int) -> tuple[str, int, int] | None:
    """(label, value start, value end) of the field of a label's line of `text` whose value
    holds offset `at`; None when no label's value does."""
    start, end = line_around(text, at)
    line = LABEL_LINE.fullmatch(text, start, end)
    for label_start, label_end, value_start, value_end in fields(line) if line else []:
        if value_start <= at < value_end:
            return text[label_start:label_end], value_start, value_end
    return None


def record_around(text: str, at: int) -> tuple[int, int]:
    """The start and end offsets of the record that holds offset `at`: its block of lines
    without a blank one between them, and the heading above it, a block of one line (an
    event's summary above its "Date:" and "Location:" lines)."""
    gap = text.rfind("\n\n", 0, at)
    start, end = (gap + 2 if gap >= 0 else 0), text.find("\n\n", at)
    if gap >= 0:
        above = text.rfind("\n\n", 0, gap)
        heading = text[above + 2 if above >= 0 else 0 : gap].strip()
        if heading and "\n" not in heading:
            start = above + 2 if above >= 0 else 0
    return start, end if end >= 0 else len(text)
