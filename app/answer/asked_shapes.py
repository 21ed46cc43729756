"""What a question asks for, by its words, and whether an answer holds it (`lacks_shape_asked`).

Some questions ask for a shape that every answer to them holds. "What time does it start?" asks for
the time of day (not "What time of year", nor "During what time", which ask for a season or a
period); "How many tablets?" for a count, in digits or words (of SQuAD's 498 "how many" questions
in the training articles, one's answers hold neither: "unmanned"); "how often" for a frequency
("every 8 weeks", "twice daily"); a question whose asked-for thing is a number or a reference
("police reference for the break-in", "my library card number", "What number should I quote?") for
a digit (4 of SQuAD's training questions ask so, each answered with digits; a reader marked "turned
away" at 0.55); a question for a percentage or a rate of interest for a percentage; a question for
a temperature, one with its unit (both of SQuAD's training questions that ask so were answered with
one: "15 °C", "90.20 K"); and "how much" a rent, a fee or a payment is, or its amount, or an
invoice's total, an amount of money (all 18 such questions of SQuAD's training articles were
answered with one). A question for a number that is not one to call is not answered by a phone
number nor by a date alone, nor one asked how long by a sum of money ("£12 each").
app.answer.shapes applies them to the reader's spans. A question asked when wants a word or a
number that says when, and one asked who words that are no reference, phone number, e-mail address,
amount, time or date alone (KINDS_ASKED); these two are checked on answers only, after the table
and label rules."""

from __future__ import annotations

import re

_CLAUSE_END = re.compile(r"[,;:]\s+")


def asking_clause(question: str) -> str:
    """The clause of `question` that asks it: its last ("I forgot my tablet yesterday, should I
    take two today?"; "If the alarm sounds, what should I do?")."""
    return _CLAUSE_END.split(question)[-1]


_PHONE = r"(?:tele)?phone|fax|mobile|cell"
_CALL = r"\b(?:call|ring|dial)\b"
# A number for reaching someone: "emergency vet number at night", "contact number", "number to
# rearrange the appointment" (a booking's reference "C-044182" and "CB-00927315" were marked).
_REACH = (
    r"\b(?:helpline|hotline|contact|support|enquir(?:y|ies)|switchboard|emergency|emergencies"
    r"|out[- ]of[- ]hours)\b(?:\s+[\w-]+){0,2}?\s+(?:number|no)\b"
    r"|\bnumber (?:to|for) (?:\w+ )?(?:rearrange|reschedule|cancel|book|report|contact|reach"
    r"|speak|talk|complain)\b"
)
ASKS_PHONE = (  # "number to ring about the recall", "What number do I call?"
    rf"\b(?:{_PHONE})\s*(?:number|no\b|#)|\bwhat is (?:\w+ )?(?:{_PHONE})\b"
    rf"|\bnumber (?:\w+ ){{0,2}}?{_CALL}|{_REACH}"
)
# A number as dialled in Britain or abroad, in groups: "07700 900461", "01632 960 900", "+44
# 20 7946 0958"; not a reference of digits alone ("40082317", "2901 4476 0183 52"), which the
# looser shape of app.answer.shapes would take for one
_DIALLED = r"(?<![\w-])(?:\+\d[\d ]{0,4}|\(?0\d{2,4}\)?)[ -]?\d{3,4}[ -]?\d{3,4}(?![\w-])"
_MONEY = (  # what "how much" asks of, or an amount of, in money
    r"(?:rents?|fees?|costs?|costing|prices?|charges?|deposits?|fines?|premiums?|subs|dues"
    r"|subscriptions?|salary|wages?|paid|pay|payments?|spent|spend|debits?|instalments?"
    r"|installments?|refunds?|owed?|owes|owing)"
)
# "How much is a family ticket?" ("Family" was marked), "how much is the farewell dinner" ("20:00"),
# "How much is it for a junior member?" ("Under 18"): what such a thing is asked to be is its
# price, but not "How much notice do I give to cancel my membership?". So is how much a week,
# a month or a session ("up to 52 weeks" was marked for "how much a week can Lewis get").
_HOW_MUCH_IS = (
    r"\W*how much (?:is|are|was|were|will|would|does|do) (?:(?:a|an|the|my|our|one)\s+)?"
    r"(?:[\w-]+\s+){0,2}?(?:tickets?|fares?|admission|entry|memberships?|passes?|trips?|tours?"
    r"|dinners?|lunch(?:es)?|meals?|lessons?|classes|class|courses?|hire|parking)\b"
    r"|\W*how much (?:is|are|was|were|will|would) (?:it|they) (?:for|to|per)\b"
    r"|\W*how much (?:a|an|per|each) (?:hour|day|night|week|month|year|session|lesson)\b"
)
# "what do they charge if I lose my room key" ("any cleaning" was marked), "what's the price of
# the 10 hour package", "What will quarterly dues be next year?" ("2026" was marked), "What's
# budgeted for travel bursaries?" ("young players"): each of the 16 such questions of SQuAD's
# training articles has money for an answer ("What was the cost of the other Super Bowl events
# ...?": "$2 million"). What a bill or an order comes to is its sum ("TS-88102" was marked).
_WHAT_COSTS = (
    r"\W*what(?:['’]?s|\s+(?:is|are|was|were|do|does|did|will|would))?\s+"
    r"(?:(?:the|a|an|my|our|your|his|her|their|its|they|you|it|we)\s+)?"
    r"(?:(?!(?:in|of|for|with|between|to|on|at)\s)[\w'’-]+\s+){0,2}?"
    r"(?:charg(?:es?|ing)|costs?|prices?|fees?|dues|budget(?:ed)?)\b"
    r"|\W*what\b[^?]*\b(?:come|came|comes) to\W*$"
)
# Words typed, not a question, that end with what is asked: "kennel cough vaccine price", "late
# return charge", "child passport cost online", "price for a one-off class?" (a reader marked
# "the annual booster" of "includes the annual booster and kennel cough vaccine"), "net vat to
# pay for Q3" ("HMRC" was marked), "brightmoor net payment for november" ("-570").
_TERSE_COST = (
    r"(?![^?]*\b(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can"
    r"|could|will|would|should|may|must|has|have|had)\b)"
    r"(?:[^?]*\s)?(?:(?:charge|cost|price|fee|rent|fare|payment)s?|to pay)"
    r"(?:\s+(?:for|per|of|online|each)\b[^?]*)?\W*$"
)
# A total of money: "vet invoice total" ("AVV-26-04471" was marked), "total to pay Penhallow"
# ("30-72-19"), "what's the total for the laptop repair with VAT" ("GB 219 4471 86"), "fete
# total takings"; not "total climbing on the route" nor "total number of portfolios", which ask
# for other quantities. Not "total due" either: that names an invoice's line ("Total due:
# 595.20 GBP"), which the reader's span on another of its lines leads to (app.answer.tables).
_TOTAL_MONEY = (
    r"[^?]*\b(?:invoices?|bills?|orders?|receipts?|quotes?|quotations?|estimates?|statements?"
    r"|takings)\s+total\b"
    r"|[^?]*\btotal\s+(?:to pay|payable|owed|owing|paid|spent|received|takings)\b"
    r"|[^?]*\btotal\b[^?]*\b(?:inc|incl|including|ex|excl|excluding|with|plus)\.?\s+vat\b"
    r"|\W*(?:what(?:['’]?s|\s+(?:is|was|will be))\s+)?(?:the\s+)?total\s+for\b"
)
# How often a thing happens: "every 8 weeks", "twice daily", "3 times a year", "Fridays",
# "alternate Wednesdays" ("28 October 2025, then 23 December 2025" was marked for "how often
# does Clearbrook collect the chemical waste?"). Each of SQuAD's 8 training questions asked how
# often is answered so ("every four years", "annually").
_FREQUENCY = (
    r"\b(?:every|each|per|a|an)\s+(?:\w+\s+)?(?:second|minute|hour|day|night|week|fortnight"
    r"|month|quarter|year|decade|century|season|term|time)s?\b"
    r"|\b(?:daily|nightly|weekly|fortnightly|monthly|quarterly|yearly|annually|biannually|hourly"
    r"|once|twice|thrice|times|always|never|often|rarely|seldom|usually|sometimes|occasionally"
    r"|frequently|regularly|constantly|continuously|periodically|annual|biennial|alternate"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun|week)days)\b"
)
_COUNT_WORDS = (
    r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen"
    r"|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|\w+illions?"
    r"|dozens?|score|several|few|multiple|numerous|none|single|double|twice|once"
    r"|half|third|quarter|couple|pair|both|hundreds|thousands)\b"
)
_COUNT = rf"\d|{_COUNT_WORDS}"
# A number or a reference holds a digit that is neither all of a year ("2025", "2025/26") nor an
# ordinal's: "2025" of "council tax 2025/26" and "Marcus's 40th birthday celebration" were marked
# for an account number and a booking reference.
_CODE_DIGITS = re.compile(
    r"(?<![\w/-])(?!(?:19|20)\d\d(?:[/-](?:\d\d){1,2})?(?![\w/-])|\d+(?:st|nd|rd|th)(?![\w-]))"
    r"[\w/-]*\d"
)
_OWN_NUMBER = r"(?:['’]s|\b(?:my|his|her|their|your|our))\s+(?:number|no)\b"
_ASKS_NUMBER = (  # "police reference for the break-in", "my reader's ticket number for ..."
    r"^\W*(?:(?:what|which)(?:['’]s|s|\s+is|\s+was|\s+are)?\s+)?"
    r"(?:(?:the|my|our|your|his|her|their)\s+)?(?:[\w'’-]+\s+){0,3}?"
    r"(?:number|no|ref|reference|postcode|iban)"
    r"(?=\s+(?:for|on|to|of\s+(?:the|my|our)|do|does|did|should|i|we)\b|\W*$)"
)
# A question asks when by "when" with its verb ("When did", "when's"; not "When rock folds ..., what
# forms?"), by what date, day or year, or, typed without a question word, by "deadline", "date"
# or "expiry" ("piano invoice payment deadline?"). Its answer says when: a year, a month, a day,
# a date, a time of day, a word of time or order ("the late 1920s", "toward the end of his
# life", "next Tuesday"), a condition ("if ...", "once ..."). A phone number, an address or a
# reference says none (each was marked for "when is the engineer coming" and the like). Of
# SQuAD's 705 such questions in the training articles, 7 have only answers without one ("Super
# Bowl XLVIII").
_WHEN_VERB = (
    r"(?:['’]s|\s+(?:is|are|was|were|will|would|did|does|do|can|could|should|shall|must|may"
    r"|might|has|have|had))\b"
)
_ASKS_WHEN = (
    rf"^\W*(?:(?:and|so|but|exactly|roughly|about|since|until|till|from|by) )?when{_WHEN_VERB}"
    r"(?!.*\b(?:what|which|who|whom|where|how|why)\b)"
    r"|^\W*(?:(?:on|by|from|until|till|in) )?(?:what|which) (?:date|day|year|month)\b"
    r"|^(?![^?]*\b(?:what|which|who|whom|whose|when|where|why|how)\b)[^?]*\b(?:deadline|dates?"
    r"|expiry)\b"
)
_YEAR = (  # "1066", "the 1990s", "2025/26", "1759-60"; not "0808 157 0642" nor "HPS-2025-0318"
    r"(?<![\w/£$€.,-])(?<!\d[ .])(?:[1-9]\d{2}|1\d{3}|2[01]\d\d)(?:s|[/-]\d\d(?:\d\d)?)?"
    r"(?![\w/-])(?![ .]?\d)"
)
MONTH_NAME = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|(?-i:May|MAY)|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
WEEKDAY_NAME = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?s?"
# An answer that is a date and nothing else: "10 March 2026", "Monday 3 November", "08/08/2025"
# (not "April", which may be a name, nor "Flat 2, 3 March Court"). It neither says who ("Who's
# our account manager?": "10 March 2026" was marked) nor is a number or a reference ("BSS
# certificate number?": "8 September 2029").
_WHOLLY_DATE = (
    rf"\W*(?:(?=[^\d]*\d)(?=[\s\S]*\b(?:{MONTH_NAME}|{WEEKDAY_NAME})\b)"
    rf"(?:(?:{MONTH_NAME}|{WEEKDAY_NAME}|\d{{1,2}}(?:st|nd|rd|th)?|(?:19|20)\d\d|of|the)\b\W*)+"
    r"|(?:0?[1-9]|[12]\d|3[01])[/.-](?:0?[1-9]|[12]\d|3[01])[/.-](?:19|20)?\d\d\W*)\Z"
)
# An answer that is a sum of money and nothing else ("£233.16", "595.20 GBP"): no number or
# reference ("invoice number for the brood box order": the invoice's total was marked).
_WHOLLY_MONEY = r"\W*(?:[£$€¥]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?(?:GBP|USD|EUR)\b)\W*\Z"
_SAYS_WHEN = (
    rf"{_YEAR}|\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b\d{{4}}-\d\d-\d\d\b|\b\d+(?:st|nd|rd|th)\b"
    r"|\bc\.?\s?\d{3,4}\b|\b(?:[01]?\d|2[0-3])\s?(?:to|-|\u2013)\s?(?:[01]?\d|2[0-3])\b(?![.,:]?\d)"
    r"|(?<![\d.,£$€])(?:[01]?\d|2[0-3])[:.][0-5]\d\b(?![.,]\d)|\d\s?[ap]\.?m\b|\bw/c\b|\bQ[1-4]\b"
    rf"|\b{MONTH_NAME}\b|\b{WEEKDAY_NAME}\b"
    r"|\b(?:today|tomorrow|yesterday|tonight|now|noon|midnight|daily|weekly|monthly|yearly"
    r"|annually|hourly|fortnightly|spring|summer|autumn|fall|winter|morning|afternoon|evening"
    r"|night|dawn|dusk|week|weekend|weekday|fortnight|month|year|day|hour|minute|second"
    r"|century|centuries|millenni(?:um|a)|decade|epoch|era|age|period|dynast(?:y|ies)|reign|war"
    r"|times?|season|series|term|semester|quarter|holiday|vacation|christmas|easter|eve|before"
    r"|after|until|till|during|since|ago|later|earlier|soon|once|while|when|whenever|if|unless"
    r"|upon|early|late|mid|beginning|start|end|middle|previously|recently|currently|present"
    r"|asap|immediately|first|last|next|every|each|overnight|onwards?|BC|AD|BCE|CE|circa)s?\b"
)
# A question asked who is answered by a name or a description of people ("the council", "Mr
# Mehra"), never by a reference ("WT-B-2601"), an e-mail address, a phone number, an amount, a
# time or a date alone (each was marked); each of SQuAD's 829 such questions in the training
# articles has an answer that is none of these.
_NOT_WHO = (
    r"[£$€]\s?\d|\b\d{1,2}[:.][0-5]\d\b|\d[\d ]{6,}\d"
    r"|(?<![\w-])[^\W\d_][\w/-]*\d"  # a reference opens with a letter: not "the 49ers"
)
# a word of two letters or more outside an e-mail address: "Maria Lopez <maria@example.org>"
_NAME_WORD = r"[\s\S]*?(?<![\w.+@-])[^\W\d_]{2,}\b(?![\w.+-]*@)(?!\.\w)"
KINDS_ASKED = (  # checked on answers only (`lacks_kind_asked`)
    (
        re.compile(_ASKS_WHEN, re.I),
        re.compile(_SAYS_WHEN, re.I),
    ),
    (
        re.compile(
            r"^\W*(?:(?:and|so|but|exactly) )?(?:who|whom)\b"
            r"(?!.*\b(?:what|which|when|where|how|why)\b)",
            re.I,
        ),
        re.compile(rf"\A(?!{_WHOLLY_DATE})(?![\s\S]*(?:{_NOT_WHO})){_NAME_WORD}", re.I),
    ),
)
ASKED_SHAPES = (
    (
        re.compile(r"^\W*(?:at )?what time\b(?! (?:period|frame|of|span|zone|scale))", re.I),
        re.compile(
            r"(?<![\d.:])(?:[01]?\d|2[0-3])(?:[:.][0-5]\d(?!\d)|\s?[ap]\.?m\b)|\b(?:noon|midnight)\b",
            re.I,
        ),
    ),
    (
        re.compile(r"^\W*(?:\w+ )?how many\b", re.I),
        re.compile(_COUNT, re.I),
    ),
    (
        re.compile(r"^\W*(?:\w+ )?how (?:often|frequently)\b", re.I),
        re.compile(_FREQUENCY, re.I),
    ),
    (
        re.compile(_ASKS_NUMBER, re.I),
        _CODE_DIGITS,
    ),
    (  # "my candidate number for the amateur radio exam": "07700 900461" was marked; but a
        # person's own number is the one to call ("What's Shaun Kereama's number?")
        re.compile(rf"^(?![^?]*(?:{ASKS_PHONE}|{_OWN_NUMBER})){_ASKS_NUMBER}", re.I),
        re.compile(rf"\A(?!\W*(?:{_DIALLED})\W*\Z)(?!{_WHOLLY_DATE})(?!{_WHOLLY_MONEY})", re.I),
    ),
    (  # "what interest rate do I get charged on purchases": "£0.00" was marked. Of SQuAD's 45
        # training questions asking what percentage or rate, 41 are answered with a percentage,
        # 3 with a bare number ("61") and one with "over half".
        re.compile(
            r"\b(?:what|which)(?: \w+)? (?:percentage|percent|interest rate|apr)\b"
            r"|\bhow much percent\b",
            re.I,
        ),
        re.compile(r"%|\bper ?cent\b|\b(?:half|third|quarter)\b|(?<![£$€\d.,])\d", re.I),
    ),
    (  # "what temperature should the beer ferment at": a reader marked "5", of "5. Dry hop"
        re.compile(
            r"^\W*(?:at )?(?:what|which)(?: \w+)? temperature\b|^\W*how (?:hot|cold)\b", re.I
        ),
        re.compile(r"\d ?(?:°|º|degrees?\b|[CFK]\b)|\b(?:freezing|boiling)\b", re.I),
    ),
    (  # "how long do repeat prescriptions take": "through the NHS App or by using the
        # prescription request slip" was marked. Each of SQuAD's 49 training questions asked
        # how long has an answer with one of these (two have another without: "end of the
        # current Parliament").
        re.compile(r"^\W*(?:\w+ )?how long\b(?! ago\b)", re.I),
        re.compile(
            rf"(?<![£$€¥\d.,])\d|{_COUNT_WORDS}"  # not "£12 each"
            r"|\b(?:seconds?|minutes?|hours?|days?|nights?|weeks?|fortnights?|months?"
            r"|years?|decades?|centur(?:y|ies)|lifetimes?|life|period|forever|indefinitely"
            r"|permanent(?:ly)?|until|till|since|overnight|inch(?:es)?|f(?:oo|ee)t|yards?|miles?"
            r"|met(?:re|er)s?|[kcm]m)\b",
            re.I,
        ),
    ),
    (  # "How much is the yearly rent for a half plot?": "approx. 125 square metres" was marked;
        # "monthly direct debit amount for the car insurance": "10" (monthly instalments)
        re.compile(
            r"^(?![^?]*\b(?:increased?|rise|rose|risen|fall|fell|fallen|drop|dropped|grow|grew"
            r"|change|changed|up|down|reduced?|cut)\b)"  # a change may be a share: "two percent"
            rf"(?:\W*(?:\w+ )?how much\b[^?]*\b{_MONEY}\b|[^?]*\b{_MONEY}[ \t]+amount\b"
            rf"|{_WHAT_COSTS}|{_TERSE_COST}|{_HOW_MUCH_IS}|{_TOTAL_MONEY})",
            re.I,
        ),
        re.compile(
            r"[£$€¥]|\b(?:pence|pounds?|dollars?|euros?|cents?|yen|francs?|gbp|usd|eur|free"
            r"|nothing|no charge)\b|\d ?p\b|\d\.\d\d(?!\d)",  # "349.00" of an invoice's table
            re.I,
        ),
    ),
)


def lacks_shape_asked(question: str, answer: str) -> bool:
    """Whether `question`'s last clause asks for what `answer` does not hold (ASKED_SHAPES):
    "Wed 18 June" for "What time does the drop-in finish?" (the reader's best, near "6:30pm"),
    "more" for "How many tablets should an adult take each day?" (of "If you take more
    Allerveen than you should", at 1.00). Checked on the span the reader marked, so that its
    next spans are proposed instead, and again once the label and table rules have had their
    say: "Date: Tuesday 18 March 2025\nTime: 10:40", cut to its first line, leads to the form's
    "Time: 10:40" for "What time is the appointment?"."""
    return _lacks(ASKED_SHAPES, question, answer)


def lacks_kind_asked(question: str, answer: str) -> bool:
    """Whether `question` asks when or who and `answer` does not say it (KINDS_ASKED):
    "0808 157 0642" for "when is the smart meter engineer coming". Checked on answers only,
    after the table and label rules have had their say: the reader's span in a timetable's row
    ("Lane Swim" for "What day is the lane swim?") leads to the cell that answers ("Saturday")."""
    return _lacks(KINDS_ASKED, question, answer)


def _lacks(shapes: tuple, question: str, answer: str) -> bool:
    clause = asking_clause(question)
    return any(asks.search(clause) and not shape.search(answer) for asks, shape in shapes)
