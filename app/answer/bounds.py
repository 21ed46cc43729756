"""The words beside a span that belong to its answer, which the reader, trained on SQuAD, leaves
out: the rest of a word or a number it cuts ("13 March", not "3 March"), the whole of a
reference ("BSS-4127-250909-KD") or of a word joined by hyphens ("five-year"), the day and month
before a year, a name's first words ("Sue Tennant"), the time after a day ("Thursday at
10:00"), a date's day ("Friday 13 June"), a quantity's bound ("within 14 days"), a deadline's
"by", a rate ("£2 per day"), a range of days and times ("Monday to Saturday 8:00am to 6:30pm"),
the noun a length of time is the length of ("28 days' written notice") and the noun a mark is
named by ("Zone H"). Each one changes what the answer says; each was a wrong answer to a
question about a document people keep (BENCHMARKS.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.answer.asked_shapes import MONTH_NAME, WEEKDAY_NAME
from app.answer.asking import MONTHS
from app.answer.stems import stem
from app.answer.words import content_words

ASKS_WHEN = re.compile(r"\bwhen\b|\bwhat time\b", re.I)
_TIME_AFTER = re.compile(  # ", at 10:00", " at 02:00 UTC", " at 8am", " at 3.40pm"
    r",? at \d{1,2}(?::\d{2}(?:\s?[ap]\.?m\b\.?)?|\.[0-5]\d\s?[ap]\.?m\b\.?|\s?[ap]\.?m\b\.?)"
    r"(?: (?:UTC|GMT|[A-Z]{1,4}T)\b)?"
)
_MONTH = re.compile(rf"(?:{MONTHS})[a-z]*\b")  # capitalised: "may" is no month
_DAY_BEFORE = re.compile(  # "3 " of "3 April 2025", "Tuesday 13 " of "Tuesday 13 May"
    r"(?<![\w.,-])(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,? )?(?:[1-9]|[12]\d|3[01])"
    r"(?:st|nd|rd|th)? $"
)


@lru_cache(maxsize=64)
def _asked_stems(question: str) -> frozenset[str]:
    """The stems of `question`'s content words, once a question: `widened` runs on every span
    the reader proposes, and most need none."""
    return frozenset(stem(word) for word in content_words(question))


def widened(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """`start`-`end` of `text` with the words beside it that belong to the answer `question`
    asks for."""
    start, end = _whole_code(text, *_whole_words(text, start, end))
    start, end = _whole_compound(question, text, start, end)
    start = _with_date_before_year(question, text, start, end)
    start = _with_name_before(text, start, end)
    asks_when = ASKS_WHEN.search(question)
    time = _TIME_AFTER.match(text, end) if asks_when else None
    day = _DAY_BEFORE.search(text, max(0, start - 24), start) if _MONTH.match(text, start) else None
    rate = _RATE.match(text, end) if _AMOUNT_END.search(text, start, end) else None
    after = time or rate
    start = day.start() if day else start
    if _DATE_START.match(text, start):
        start = _before(_WEEKDAY_BEFORE, text, start)
    if _DAY_OR_TIME_START.match(text, start):
        start = _before(_DEADLINE_BEFORE, text, start)
    if _QUANTITY_START.match(text, start):
        start = _before(_BOUND_BEFORE, text, start)
    end = _whose_noun_end(question, text, after.end() if after else end)
    if _ASKS_HOURS.search(question):
        end = _range_end(text, start, end)
    return balanced(text, _with_its_noun(question, text, start, end), end)


def balanced(text: str, start: int, end: int) -> tuple[int, int]:
    """`start`-`end` with its brackets closed: the bracket just outside it taken in, else the
    span cut at the one it leaves open. The reader marked "25% (£2,235.00" of "25%
    (£2,235.00)", and an answer that opens what it does not close reads as a slip."""
    span = text[start:end]
    if span.count("(") > span.count(")"):
        if text[end : end + 1] == ")":
            return start, end + 1
        cut = start + span.rfind("(")
        return (start, len(text[:cut].rstrip())) if text[start:cut].strip() else (start, end)
    if span.count(")") > span.count("("):
        if text[start - 1 : start] == "(" and start > 0:
            return start - 1, end
        cut = start + span.find(")") + 1
        rest = text[cut:end]
        return (end - len(rest.lstrip()), end) if rest.strip() else (start, end)
    return start, end


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """`start`-`end` grown to the whole words or numbers it cuts. The reader marks word pieces,
    and marked "3 March 2025" of "Thursday 13 March 2025"."""
    if start < end:
        while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
            start -= 1
        while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
            end += 1
    return start, end


# A reference is taken whole: the reader marked "4127-250909-KD" of "BSS-4127-250909-KD" and
# "ABS/20931" of "HR/ABS/20931", whose first parts the questions named ("BSS certificate
# number?", "hr reference for my absence"). A reference holds a digit and a capital letter, so
# "five-year" and "10-12" are left to `_whole_compound`.
_CODE = re.compile(r"(?<![\w/-])[^\W_]+(?:[/-][^\W_]+)+")


def _whole_code(text: str, start: int, end: int) -> tuple[int, int]:
    """`start`-`end` grown to the whole reference it cuts, else as it is."""
    for found in _CODE.finditer(text, max(0, start - 40), min(len(text), end + 40)):
        cuts = found.start() < start < found.end() or found.start() < end < found.end()
        code = found.group()
        if cuts and re.search(r"\d", code) and re.search(r"[A-Z]", code):
            return min(start, found.start()), max(end, found.end())
    return start, end


# A year keeps the day and the month before it, unless the question asks for a year: the
# reader marked "2025" of "31 March 2025" for "whats the last date to renew my membership"
# and of "Saturday 11 October 2025" for "When is the apple pressing day?".
_YEAR_ALONE = re.compile(r"(?:1[5-9]|20)\d\d")
_DAY_MONTH_BEFORE = re.compile(
    rf"(?<![\w.,-])(?:(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?[ \t]+(?:{MONTHS})[a-z]*\.?"
    rf"|(?:{MONTHS})[a-z]*\.?[ \t]+(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?,?)[ \t]+$"
)
_ASKS_YEAR = re.compile(r"\byears?\b", re.I)


def _with_date_before_year(question: str, text: str, start: int, end: int) -> int:
    """Where the date that the year `start`-`end` ends begins, else `start`."""
    if not _YEAR_ALONE.fullmatch(text, start, end) or _ASKS_YEAR.search(question):
        return start
    return _before(_DAY_MONTH_BEFORE, text, start)


# A name keeps the capitalised words before it in its sentence: "Sue Tennant" of "Spare keys -
# Sue Tennant has ours" and "Uncle Bertil", where the reader marked the last word. Not a word
# that opens a sentence or a line ("Yesterday Tennant called"), nor a day or a month ("on
# Monday Tennant called"); not before a name the span gives whole already ("Daniel Osei",
# whose title "PCSO" SQuAD's annotators would leave out), nor before a date ("Expected Wed 17
# June 2026").
_CAPITALISED_BEFORE = re.compile(  # "Dr.", not "Bowl." ending a sentence, nor "Jacksonville's"
    r"(?<![\w'’.-])(?:(?:[A-Z][a-z]{0,2}\.|[A-Z][\w-]*)[ \t]+){1,3}$"
)
_NOT_NAME = re.compile(rf"(?:I|{MONTH_NAME}|{WEEKDAY_NAME})\b")  # not "Marcus" for "Mar"
_WHOLE_NAME = re.compile(r"[A-Z][\w'’-]*[ \t]+[A-Z]")
# what stands before the first word of a sentence, a line or a list's item ("- ", "2. ")
_OPENING = re.compile(r"(?:^|[.!?\n\r])[ \t]*(?:[-*\u2022\u2013]|\d{1,2}[.)])?[ \t]*$")


def _with_name_before(text: str, start: int, end: int) -> int:
    """Where the name that `start`-`end` ends begins, else `start`."""
    span = text[start:end]
    if not re.match(r"[A-Z][a-z]", span) or _NOT_NAME.match(span) or _WHOLE_NAME.match(span):
        return start  # nor a mark: "Zone H"
    found = _CAPITALISED_BEFORE.search(text, max(0, start - 48), start)
    if found is None or _NOT_NAME.match(text, found.start()):
        return start
    opens = _OPENING.search(text, max(0, found.start() - 12), found.start())
    return start if opens else found.start()


# A span keeps the whole of a word joined by hyphens that it cuts: "five-year" of "a five-year
# warranty", where the reader marked "five" for how long the warranty is; not a part the question
# names: "seven" of "seven-layer" for "how many layers".
_COMPOUND_AFTER = re.compile(r"(?:-[^\W_]+)+")
_COMPOUND_BEFORE = re.compile(r"(?<![\w-])[^\W_]+(?:-[^\W_]+)*-$")


def _whole_compound(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """`start`-`end` grown to the whole words joined by hyphens that it cuts, unless the
    question holds a word of the part left out."""
    found = _COMPOUND_AFTER.match(text, end) if text[end - 1 : end].isalnum() else None
    if found and start < end and not _names_part(question, found.group()):
        end = found.end()
    if start < end and text[start : start + 1].isalnum():
        found = _COMPOUND_BEFORE.search(text, max(0, start - 40), start)
        start = found.start() if found and not _names_part(question, found.group()) else start
    return start, end


def _names_part(question: str, part: str) -> bool:
    """Whether `question` holds a word of `part` of a hyphenated word ("layer" of "-layer")."""
    asked = _asked_stems(question)
    return any(stem(word) in asked for word in re.findall(r"[^\W\d_]+", part.lower()))


# A date keeps its day of the week ("Friday 13 June"); a day or a time the word before it that
# makes it a deadline or a start ("by 11:00", "by Friday 13 June", "from 4pm"); and a quantity,
# a date or a time the words before it that bound it: "within 14 days", "at least four weeks'
# notice", "up to 3 times", "more than 100", "under 12". The reader marked "10 days" of "within
# 10 days of the end of the tenancy", which says another thing. Words that only round a number
# ("about", "nearly") are left to the reader, as SQuAD's annotators left them (validation
# split), and so is "over": of SQuAD's training answers that a number right after "over" opens,
# 26 leave it out and 15 take it in ("over 100 people").
_DATE_START = re.compile(rf"(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?[ \t]+(?:{MONTHS})[a-z]*\b")
_WEEKDAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\b"
_WEEKDAY_BEFORE = re.compile(rf"(?<!\w){_WEEKDAY}\.?,?[ \t]+$")
_DAY_OR_TIME_START = re.compile(
    rf"{_DATE_START.pattern}|{_WEEKDAY}|(?:the[ \t]+)?\d{{1,2}}(?:st|nd|rd|th)\b"
    r"|(?:[01]?\d|2[0-3])(?:[:.][0-5]\d(?![\d%])|\s?[ap]\.?m\b)|noon\b|midnight\b",
    re.I,
)
_DEADLINE_BEFORE = re.compile(r"(?<!\w)(?:by|from)[ \t]+(?:the[ \t]+)?$", re.I)
_QUANTITY_START = re.compile(
    r"[£$€]?\d|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty"
    rf"|forty|fifty|hundred|half)\b|{_WEEKDAY}",
    re.I,
)
_BOUND_BEFORE = re.compile(
    r"(?<!\w)(?:within|up to|at least|at most|no (?:more|less|later|earlier) than"
    r"|(?:more|less|fewer) than|until|till|under|below)[ \t]+$",
    re.I,
)


def _before(pattern: re.Pattern[str], text: str, start: int) -> int:
    """Where the words of `pattern` (anchored at its end) before `start` begin, else `start`."""
    found = pattern.search(text, max(0, start - 24), start)
    return found.start() if found else start


# A day or a time of day that opens a range keeps it, for a question asked when or what
# hours: the reader marked "Monday" of "Monday to Saturday 8:00am to 6:30pm".
_ASKS_HOURS = re.compile(r"\b(?:when|what time|times|hours|days|open|close|shut)\b", re.I)
_TIME_OF_DAY = (
    r"(?:(?:[01]?\d|2[0-3])(?:[:.][0-5]\d)?[ \t]?[ap]\.?m\b\.?|(?:[01]?\d|2[0-3])[:.][0-5]\d\b"
    r"|noon\b|midnight\b)"
)
_TO = r"[ \t]*(?:to|until|till|-|\u2013)[ \t]*"
_ENDS_WEEKDAY = re.compile(rf"(?<!\w){_WEEKDAY}$")
_ENDS_TIME = re.compile(rf"(?<![\w:.]){_TIME_OF_DAY}$", re.I)
_TO_WEEKDAY = re.compile(rf"{_TO}{_WEEKDAY}")
_TO_TIME = re.compile(rf"{_TO}{_TIME_OF_DAY}", re.I)
_TIMES_AFTER = re.compile(rf",?[ \t]+(?:from[ \t]+)?{_TIME_OF_DAY}{_TO}{_TIME_OF_DAY}", re.I)


def _range_end(text: str, start: int, end: int) -> int:
    """The end of the range of days, then of times, that `start`-`end` opens, else `end`."""
    span = text[start:end]
    if _ENDS_WEEKDAY.search(span) and (found := _TO_WEEKDAY.match(text, end)):
        end, span = found.end(), text[start : found.end()]
    if _ENDS_WEEKDAY.search(span) and (found := _TIMES_AFTER.match(text, end)):
        return found.end()
    if _ENDS_TIME.search(span) and (found := _TO_TIME.match(text, end)):
        return found.end()
    return end


# A length of time keeps the noun it is the length of, when the question asks by that noun:
# "28 days' written notice" for "how much notice do I need to give" (the reader marked "28
# days", which says less than the text).
_UNIT_END = re.compile(r"(?:day|week|month|year)s?$", re.I)
_POSSESSIVE = re.compile(r"(?:'s?|\u2019s?)((?:[ \t]+[^\W\d_]+){1,2})")


def _whose_noun_end(question: str, text: str, end: int) -> int:
    """The end of the one or two words after a length of time's possessive that end with a
    word the question holds, else `end`."""
    found = _POSSESSIVE.match(text, end) if _UNIT_END.search(text, max(0, end - 6), end) else None
    if found is None:
        return end
    for word in re.finditer(r"[^\W\d_]+", found.group(1)):
        if stem(word.group().lower()) in _asked_stems(question):
            return found.start(1) + word.end()
    return end


# A mark keeps the noun before it that the question asks which or what of: "Zone H" for
# "which zone is the permit for", "day 5" for "what day do I add the hops" (the reader marked
# "H" and "5"); not a verb the question holds ("entered 14" for "How many crews did the club
# enter").
_MARK = re.compile(r"[A-Z]{1,2}|\d{1,3}[A-Za-z]?")
_NOUN_BEFORE = re.compile(r"(?<!\w)([^\W\d_]+)[ \t]+$")
_WHICH_NOUN = re.compile(r"\b(?:which|what)[ \t]+([^\W\d_]+)", re.I)


@lru_cache(maxsize=64)
def which_nouns(question: str) -> frozenset[str]:
    """The stems of the nouns `question` asks which or what of ("zone" of "which zone is the
    permit for"), once a question."""
    return frozenset(stem(m.group(1).lower()) for m in _WHICH_NOUN.finditer(question))


def _with_its_noun(question: str, text: str, start: int, end: int) -> int:
    """Where the noun before the mark `start`-`end` starts, if `question` asks which or what
    of it; else `start`."""
    if not _MARK.fullmatch(text, start, end):
        return start
    found = _NOUN_BEFORE.search(text, max(0, start - 24), start)
    asked = which_nouns(question)
    return found.start() if found and stem(found.group(1).lower()) in asked else start


# An amount keeps the rate after it ("£2 per day", "£15 per dog per night", "7.9 percent a
# year", "£5 each", "£15 per 15 minutes", "25p for every £1"): the reader marked "£2" for what
# storage costs, which says less than the text.
_AMOUNT_END = re.compile(
    r"(?:\d[p%]?|\b(?:pence|pounds?|dollars?|euros?|percent|cent|gbp|usd|eur))$", re.I
)
_RATE = re.compile(
    r"(?:[ \t]+per[ \t]+(?:\d[\d.,]*[ \t]+)?(?:(?:calendar|working|business|square|cubic)[ \t]+)?"
    r"[^\W\d_][\w-]*){1,2}|[ \t]+an?[ \t]+(?:day|week|month|year|night|hour|minute|person|head)\b"
    r"|[ \t]+each\b"
    r"|[ \t]+for[ \t]+(?:every|each)[ \t]+(?:[£$€]\d[\d.,]*|\d[\d.,]*(?:[ \t]+[^\W\d_][\w-]*)?"
    r"|(?:(?:extra|additional|further|other|late|missed|full|calendar|working|business)[ \t]+)?"
    r"[^\W\d_][\w-]*)",
    re.I,
)
