"""What a question asks for, by its question word and its verbs, as a form's labels name it.

A label seldom holds the word that asks for it: "When is the invoice due?" asks for "Due date"
by "when", "Who sent it?" for an e-mail's "From" by "who" and "sent", both stop words or
nowhere in the label, and "finished" asks for "Installation completed". These tables say
which label words a question asks for so (app.answer.tables reads them), and whether a value
can answer a question asked "when".
"""

from __future__ import annotations

import re

from app.answer.stems import stem

_ASKS_WHEN = re.compile(  # asked "when", not "What was the mileage when the car went in?"
    r"^\W*(?:(?:by|since|until|till|from|and|so) )?when\b|\bwhat (?:time|day|date)\b", re.I
)
_ASKS_WHY = re.compile(r"\bwhy\b", re.I)
# What a question word asks for, as labels name it: a label that holds one of the question's
# words counts these as held too, so "When is the invoice due?" names "Due date" before "Total
# due", and "How much is due?" the other way round.
_ASKED_BY_QUESTION_WORD = (
    (_ASKS_WHEN, "date time day deadline"),
    (re.compile(r"\bwhere\b", re.I), "address location place venue room"),
    (re.compile(r"\bhow much\b", re.I), "amount price cost total fee"),
    (re.compile(r"\bhow many\b", re.I), "number quantity count"),
    (_ASKS_WHY, "reason cause explanation"),
)
# Words a question and a form's label use for one thing: "When was the installation finished?"
# asks for "Installation completed", "What time does the flight leave?" for "Depart". Stems.
_SAME = (
    "complet finish end", "start begin commenc", "leav depart departur", "arriv land",
    "cost price charg fee", "buy bought purchas", "need requir", "phone telephon tel",
    "publish releas",
    # a form's abbreviations and its words for what a person asks in others: "pick up" is
    # "Collection", "date of birth" "DOB", "policy number" "Policy no.", "expire" "Valid until"
    "collect pick", "postcod zip", "refer ref", "number no num", "quantiti qti", "dob birth born",
    "expiri expir valid", "deadlin due", "salari wage earn", "doctor gp physician",
    "owner holder", "owe balanc outstand",
)  # fmt: skip
SYNONYMS = {word: frozenset(group.split()) for group in _SAME for word in group.split()}
# A header may name what the question asks with another form of its verb: "Owner" for "who
# owns", "Payment" for "how much did they pay"; Snowball's stems keep such nouns whole.
DERIVED_SUFFIXES = ("er", "or", "ment")
COMPOUND = re.compile(r"\w+(?:-\w+)*")  # a word, or words joined by hyphens
# A cell that answers a question asked "when" holds a time: a date, a month's or a day's name, or
# a word of time; a label's words alone ("Installer" for "installation", "Version" for "When
# was the first version published?") may name another.
MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"  # each a name's start: "Sept", "May"
_TEMPORAL = re.compile(  # a year, a date in digits, a time, an ordinal; not "0.1.0" or "£40"
    r"\b(?:1[5-9]|20)\d\d\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\d:[0-5]\d|\b\d{1,2}(?:st|nd|rd|th)\b"
    r"|\b\d{1,2}\s?[ap]\.?m\b"
    rf"|\b(?:{MONTHS}|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b"
    r"|\b(?:today|tomorrow|yesterday|tonight|noon|midnight|now|daily|weekly|monthly|yearly"
    r"|annually|spring|summer|autumn|fall|winter|morning|afternoon|evening|night|week|month"
    r"|year|day|hour|minute|before|after|until|during)s?\b",
    re.I,
)
# An e-mail's header lines (app.ingest.formats.mail) are asked for by the verbs of sending, not
# by their labels: "Who sent it?" is From, "Who received it?" To, "When was it sent?" Date. As
# "from", "to" and "when" are stop words, and "sent" may ask for any of the three, a question
# asks for such a label by its question word and verb together. It then names the label whole,
# and the label holds the question's words that asked (ASKING): "From sent".
_SENDING = r"sent|sends?|wrote|write|written|e-?mailed|mailed|forwarded"
_RECEIVING = r"received?|receives|got|gets|addressed"
_COPIED = r"copied|cc'?d|cc"
ASKING = re.compile(rf"{_SENDING}|{_RECEIVING}|{_COPIED}|recipients?|sender|author|dated")
_ASKS_FOR_LABEL = {
    "from": re.compile(  # "Who is it from?", not "Who benefits from it?"
        rf"\bwho\b(?!.*\bto\W*$).*\b(?:{_SENDING})\b|\b(?:sender|author)\b|\bwho\b.*\bfrom\W*$"
    ),
    "to": re.compile(  # "who was copied" asks for Cc, whatever else it says ("of the recipients")
        rf"^(?!.*\b(?:{_COPIED})\b).*(?:\bwho\b.*\b(?:{_RECEIVING})\b|\brecipients?\b"
        rf"|\bto whom\b|\bwho(?:m)?\b.*\b(?:{_SENDING})\b.*\bto\W*$)"
    ),
    "cc": re.compile(rf"\b(?:{_COPIED})\b"),
    "date": re.compile(rf"\b(?:when|what time|what day)\b.*\b(?:{_SENDING}|{_RECEIVING}|dated)\b"),
}
_ASKS_FOR_LABEL["sent"] = _ASKS_FOR_LABEL["date"]  # Outlook's "Sent: Monday, 3 June 2024 10:02"


def implied_by(question: str) -> frozenset[str]:
    """The stems of the label words that `question`'s question word asks for
    (_ASKED_BY_QUESTION_WORD)."""
    return frozenset(
        stem(word)
        for asks, words in _ASKED_BY_QUESTION_WORD
        if asks.search(question)
        for word in words.split()
    )


def asked_labels(question: str) -> dict[str, str]:
    """The e-mail header labels (lower case) that `question` asks for without naming them,
    each with the question's words that ask (ASKING)."""
    lowered = question.lower()
    asking = " ".join(w for w in re.findall(r"[\w'-]+", lowered) if ASKING.fullmatch(w))
    return {label: asking for label, asks in _ASKS_FOR_LABEL.items() if asks.search(lowered)}


def asks_for_time(question: str) -> bool:
    """Whether `question` asks when, or for a time, day or date."""
    return _ASKS_WHEN.search(question) is not None


def asks_why(question: str) -> bool:
    """Whether `question` asks why: a reason, which a table's cell gives only under a header
    that says so ("Reason")."""
    return _ASKS_WHY.search(question) is not None


def holds_time(value: str) -> bool:
    """Whether `value` can say when (`_TEMPORAL`)."""
    return _TEMPORAL.search(value) is not None


def label_forms(word: str) -> set[str]:
    """The stem of a label's `word`, its SYNONYMS and, for a noun of DERIVED_SUFFIXES, the stem
    it is made from: "owner" -> {"owner", "own"}. A compound's parts and the compound written
    as one word: "Check-out" -> {"check", "out", "checkout"}, asked for as "checkout"."""
    if "-" in word:
        parts = word.split("-")
        return {form for part in [*parts, "".join(parts)] if part for form in label_forms(part)}
    stemmed = stem(word.lower())
    return (
        {stemmed}
        | SYNONYMS.get(stemmed, frozenset())
        | {
            stemmed[: -len(suffix)]
            for suffix in DERIVED_SUFFIXES
            if stemmed.endswith(suffix) and len(stemmed) - len(suffix) >= 3
        }
    )


def label_holds(words: dict[str, float], label: str) -> list[str]:
    """Those of the question's `words` that `label` (a header) holds, in any of its words'
    `label_forms`."""
    forms = {form for word in COMPOUND.findall(label) for form in label_forms(word)}
    return [word for word in words if stem(word) in forms]
