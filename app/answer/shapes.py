"""The shape of an answer: a phone number or an e-mail address when the question asks for one,
the whole sentence when it asks yes or no, what to do or how to do it, the time of day with the
day when it asks when; and never a heading that holds none of the question's words.

The reader marks what reads like an answer to its question's form, and a passage that holds no
fax number still holds an address and a name: "What is the fax number of Hotspring Heating?"
was answered "bookings@hotspring.example" at 0.85. A phone number has digits, an e-mail address
an "@"; a span without them answers neither, so it is no candidate, and with none left the
question gets no answer.

SQuAD, the reader's training, asks no yes-or-no questions, and the reader marks some phrase of
the sentence that answers one: "review" for "Is the travel budget frozen?", from "The travel
budget is frozen until the review." That sentence, whole, is the answer, as it is for "What
should I do if the flow is slow?" ("If the flow is slow, check that the inlet valve is fully
open ..."), where the reader marked a step of another section.

Asked "When is the Q3 budget review?", the reader marked "Thursday" in "moved to Thursday at
10:00": the time that follows a day belongs to the answer.
"""

from __future__ import annotations

import re

from app.answer import cells
from app.answer.asked_shapes import (
    ASKS_PHONE,
    asking_clause,
    lacks_kind_asked,
    lacks_shape_asked,
)
from app.answer.asking import asked_labels, label_forms
from app.answer.bounds import ASKS_WHEN, widened
from app.answer.file_names import kind_of
from app.answer.label_lines import field_at, line_around
from app.answer.overlap import found_in
from app.answer.retrieval import content_words
from app.answer.sentences import (
    PARAGRAPH_BREAK,
    crosses_paragraph,
    sentences_of,
    tidy_span,
    within_sentence,
)
from app.ingest.chunking import is_heading, trim_span
from app.records import Passage, Span

SHAPES = (  # (what the question asks, what its answer is)
    (
        re.compile(ASKS_PHONE, re.I),
        # 7 digits or more: "020 7946 0958", "(020) 7946-0958", "+44 7700 900123"; not a date,
        # nor a code that starts with letters ("HX-4471-2290"); or an emergency line's three
        re.compile(
            r"(?<![\w-])[+(]?\d(?:[ ().+-]{0,2}\d){6,}\)?(?!\w)"  # not "(8am"
            r"|(?<![\w-])(?:999|112|911|111|101|000)(?![\w-])"
        ),
    ),
    (
        re.compile(r"\be-?mail address", re.I),
        re.compile(r"(?<![\w.+-])[\w.+-]*\w@\w[\w-]*(?:\.[\w-]+)*"),
    ),
)


def shape_words(question: str) -> str:
    """The words with which `question` asks for a shape of SHAPES ("phone number"), "" if none:
    every answer it gets has that shape, so holds those words."""
    return " ".join(found.group() for asks, _ in SHAPES if (found := asks.search(question)))


_YES_OR_NO = re.compile(
    r"^\W*(?:is|are|was|were|am|do|does|did|can|could|will|would|should|shall|has|have|had|must"
    r"|may|might)(?:n't)?\b(?!.*\b(?:or|who|whom|whose|what|when|where|which|why|how)\b)",
    re.I,
)  # not "Is it high or low?", nor "Can you tell me who sent it?"
_WHAT_TO_DO = re.compile(
    r"^\W*what (?:should|shall|do|does|can|could|must|to) (?:i |we |you |they |one )?do\b", re.I
)


_HOW_TO = re.compile(
    r"^\W*(?:how (?:do|can|should|would|could|must) (?:i|we|you|one|they)\b|how to\b"
    r"|what (?:are|were) the steps\b)|\bsteps? (?:to|for)\b",
    re.I,
)


def sentence_answers(question: str) -> bool:
    """Whether a sentence, whole, answers `question`: one asked yes or no (it, or its last
    clause, opens with a verb, offers no choice and asks no wh-question), or asking what to do
    or how to do something ("How do I submit a meter reading?": "Log in to your online account
    and choose Submit a reading, or call 0800 555 0199.", where the reader marked "Log in to
    your online account"; a list of steps, `app.answer.steps`, stays whole)."""
    asking = asking_clause(question)
    return bool(_YES_OR_NO.match(question) or _YES_OR_NO.match(asking)) or asks_how_to(question)


def asks_how_to(question: str) -> bool:
    """Whether `question` asks how to do something, what to do, or for the steps."""
    return bool(_HOW_TO.search(question)) or asks_what_to_do(question)


def asks_what_to_do(question: str) -> bool:
    """Whether `question` asks what to do ("What should I do if the flow is slow?")."""
    return bool(_WHAT_TO_DO.match(question) or _WHAT_TO_DO.match(asking_clause(question)))


def answer_span(question: str, passage: Passage, start: int, end: int) -> tuple[int, int]:
    """The span the reader marked at `start`-`end` of `passage`'s text as an answer, if it holds
    the time of day or the count a question asks for (`lacks_shape_asked`): whole words
    (`trim_span`), one table cell's or label's value (`cells.within_cell`), without
    punctuation around it (`tidy_span`), cut at the end of its sentence (`within_sentence`), in
    the shape `question` asks for (`shaped`). Empty when it is no answer: text over a blank
    line (an answer stays inside its paragraph, and such a span is not cut to one), a table's
    header, a section's heading on another topic (`_in_heading`), or the date an e-mail was sent
    when the question asks about something else (`in_mail_date`)."""
    text = passage.text
    if lacks_shape_asked(question, text[start:end]):
        return start, start  # before it is cut to a cell or a line: "Date: ...\nTime: 10:40"
    start, end = tidy_span(text, *cells.within_cell(text, *trim_span(text, start, end)))
    if crosses_paragraph(text, start, end):
        return start, start
    start, end = shaped(question, text, *tidy_span(text, *within_sentence(passage, start, end)))
    if (
        end <= start
        or cells.in_header_row(text, start)
        or _in_heading(question, passage, start, end)
        or in_mail_date(question, passage, start)
    ):
        return start, start
    return start, end


_WHERE = re.compile(r"\bwhere\b", re.I)
_PLACE_LABEL = re.compile(r"\b(?:address|location|place|venue|room|where)\b", re.I)
_TIME_LABEL = re.compile(r"\b(?:date|dates|time|times|when|day|days|due|deadline)\b", re.I)


def _asks_for_label(question: str, label: str) -> bool:
    """Whether `question` asks, by its question word, for what `label` names: a place asked
    where ("Location"), a date or time asked when ("Date", "Due")."""
    if _WHERE.search(question):
        return bool(_PLACE_LABEL.search(label))
    return bool(ASKS_WHEN.search(question) and _TIME_LABEL.search(label))


def shaped(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """The span `start`-`end` of `text` as `question` asks for it: the number or address alone
    that a question asks for (SHAPES; the reader marked "Keyline Lettings, on 0117 496 0123" for
    the agent's phone number); a place asked where or a date asked when, all of a label's
    value that names it ("Location: ...": the reader marked the street without the town;
    "Date: Monday 27 October 2025 to Friday 31 October 2025"); with the time of day
    after it for a question asked when ("Thursday at 10:00"); a date with its day ("3 April
    2025", where the reader marked "April 2025"); empty when it lacks the shape asked for (a
    number, an address)."""
    for asks, shape in SHAPES:
        if asks.search(question):
            found = shape.search(text, start, end)
            if found is None:
                return start, start
            start, end = shape.match(text, found.start()).span()  # "0117 496" of "0117 496 0123"
    asks_when = ASKS_WHEN.search(question)
    field = field_at(text, start) if asks_when or _WHERE.search(question) else None
    if field and end <= field[2] and _asks_for_label(question, field[0]):
        start, end = field[1:]  # all of "Location: Harbour Dental, 12 Quay Street, Bristol"
    return widened(question, text, start, end)


def answers_as_asked(question: str, passage: Passage, span: Span) -> bool:
    """Whether the span of `passage` has the shape `question` asks for (`lacks_shape_asked`),
    says when or who when asked (`lacks_kind_asked`) and names the thing it asks whether there
    is (`lacks_thing_asked`)."""
    text = passage.text[span.start : span.end]
    return not (
        lacks_shape_asked(question, text)
        or lacks_kind_asked(question, text)
        or lacks_thing_asked(question, passage, span.start, span.end)
    )


# "Is there parking for students at Tillingham Court?" asks whether there is parking: a span
# whose sentence says nothing of parking, nor of students, is no answer, however sure the
# reader (it marked the halls' address at 0.97). "Is there a charge for parking?" is answered
# by "Parking is free."
_IS_THERE = re.compile(
    r"^\W*(?:is|are|was|were)\s+there\s+(?:(?:a|an|any|some)\s+)?([^\W\d_][\w-]*)"
    r"(?:\s+(?:for|on|to|of|with|in)\s+(?:(?:a|an|the|my|our|your)\s+)?([^\W\d_][\w-]*))?",
    re.I,
)


def lacks_thing_asked(question: str, passage: Passage, start: int, end: int) -> bool:
    """Whether `question` asks whether there is a thing (for something) and the sentence of
    `passage` around `start`-`end` (the line, for a table row or a label's line) names neither,
    by a word with its stem or a synonym's (`label_forms`)."""
    found = _IS_THERE.match(asking_clause(question))
    if found is None:
        return False
    wanted = {form for word in found.groups() if word for form in label_forms(word)}
    line = cells.field_line(passage.text, start)
    first, last = line or _sentence_of(passage, start, end)
    words = re.findall(r"[\w-]+", passage.text[first:last])
    return not any(label_forms(word) & wanted for word in words)


def _sentence_of(passage: Passage, start: int, end: int) -> tuple[int, int]:
    """The offsets in `passage`'s text of its sentences (`sentences_of`) that `start`-`end`
    overlaps; of its paragraph when none does (a heading)."""
    at, until = passage.start + start, passage.start + end
    spans = [(s, e) for s, e in sentences_of(passage) if s < until and at < e]
    if spans:
        return spans[0][0] - passage.start, spans[-1][1] - passage.start
    text = passage.text
    before = [m.end() for m in PARAGRAPH_BREAK.finditer(text, 0, start)]
    after = PARAGRAPH_BREAK.search(text, end)
    return (before[-1] if before else 0), (after.start() if after else len(text))


_BLANK_BEFORE = re.compile(r"\n[ \t]{0,3}\n[ \t]{0,3}$")  # a blank line ends where the line starts
_BLANK_AFTER = re.compile(r"\n[ \t]*\n\s*\S")  # a blank line, then more text
_NAMES_ASKED = re.compile(r"\b(?:subject|title|heading|section|chapter|called|named)\b", re.I)


def _in_heading(question: str, passage: Passage, start: int, end: int) -> bool:
    """Whether the span lies in a section's heading that holds none of the question's words,
    and the question asks for no title. A heading names the topic of the text under it, so a
    span in it answers only a question on that topic ("14 March 2024" in "Minutes of the
    Committee, 14 March 2024" for "When did the committee meet?"); the reader marked
    "Troubleshooting" for "What should I do if the flow is slow?". A section's heading is a
    short line (`is_heading`) that starts the passage or follows a blank line, with a blank line
    and text after it, and is not the page's first line, which is its title or an e-mail's
    subject: a name signing a letter off ("Maria") or a title is left to the reader."""
    text = passage.text
    line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    return (
        passage.start + line_start > 0
        and line_end > 0
        and is_heading(line)
        and (line_start == 0 or _BLANK_BEFORE.search(text, line_start - 8, line_start) is not None)
        and _BLANK_AFTER.match(text, line_end) is not None
        and not found_in(content_words(question), line)
        and not _NAMES_ASKED.search(question)
    )


_MAIL_DATE_LINE = re.compile(r"- Date: ")  # as app.ingest.formats.mail writes an e-mail's header


def in_mail_date(question: str, passage: Passage, start: int) -> bool:
    """Whether the span lies in an e-mail's Date header line and the question asks neither when
    it was sent (`asked_labels`) nor about the message itself ("the date of the email"). The
    header says when the message was written, not when anything in it happens: "what time does
    my train leave kings cross" of a booking e-mail was answered with the time it was sent."""
    kind = kind_of(passage.source)
    if not kind:
        return False
    line_start, _ = line_around(passage.text, start)
    if not _MAIL_DATE_LINE.match(passage.text, line_start):
        return False
    names_message = found_in(kind.split(), question.lower())
    return not names_message and "date" not in asked_labels(question)
