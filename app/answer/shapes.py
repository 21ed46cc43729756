"""The shape of an answer: a phone number or an e-mail address when the question asks for one,
the whole sentence when it asks yes or no, the time of day with the day when it asks when.

The reader marks what reads like an answer to its question's form, and a passage that holds no
fax number still holds an address and a name: "What is the fax number of Hotspring Heating?"
was answered "bookings@hotspring.example" at 0.85. A phone number has digits, an e-mail address
an "@"; a span without them answers neither, so it is no candidate, and with none left the
question gets no answer.

SQuAD, the reader's training, asks no yes-or-no questions, and the reader marks some phrase of
the sentence that answers one: "review" for "Is the travel budget frozen?", from "The travel
budget is frozen until the review." That sentence, whole, is the answer.

Asked "When is the Q3 budget review?", the reader marked "Thursday" in "moved to Thursday at
10:00": the time that follows a day belongs to the answer.
"""

from __future__ import annotations

import re

_PHONE = r"(?:tele)?phone|fax|mobile|cell"
SHAPES = (  # (what the question asks, what its answer holds)
    (
        re.compile(rf"\b(?:{_PHONE})\s*(?:number|no\b|#)|\bwhat is (?:\w+ )?(?:{_PHONE})\b", re.I),
        re.compile(r"(?:\d[\s().+-]{0,2}){6}\d"),  # 7 digits or more: "020 7946 0958", not a date
    ),
    (re.compile(r"\be-?mail address", re.I), re.compile(r"\w@\w")),
)


_YES_OR_NO = re.compile(
    r"^\W*(?:is|are|was|were|am|do|does|did|can|could|will|would|should|shall|has|have|had|must"
    r"|may|might)(?:n't)?\b(?!.*\b(?:or|who|whom|whose|what|when|where|which|why|how)\b)",
    re.I,
)  # not "Is it high or low?", nor "Can you tell me who sent it?"


def asks_yes_or_no(question: str) -> bool:
    """Whether `question` is answered by yes or no: it opens with a verb, and offers no
    choice and asks no wh-question."""
    return bool(_YES_OR_NO.match(question))


_WHEN = re.compile(r"\bwhen\b|\bwhat time\b", re.I)
_TIME_AFTER = re.compile(  # ", at 10:00", " at 02:00 UTC", " at 8am"
    r",? at \d{1,2}(?::\d{2}(?:\s?[ap]\.?m\b\.?)?|\s?[ap]\.?m\b\.?)(?: (?:UTC|GMT|[A-Z]{1,4}T)\b)?"
)


def shaped(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """The span `start`-`end` of `text` as `question` asks for it: with the time of day after it
    for a question asked when ("Thursday at 10:00"); empty when it lacks the shape asked for
    (`fits`)."""
    if not fits(question, text[start:end]):
        return start, start
    time = _TIME_AFTER.match(text, end) if _WHEN.search(question) else None
    return start, time.end() if time else end


def fits(question: str, answer: str) -> bool:
    """Whether `answer` has the shape `question` asks for (SHAPES); any answer does when the
    question asks for no shape."""
    return all(holds.search(answer) for asks, holds in SHAPES if asks.search(question))
