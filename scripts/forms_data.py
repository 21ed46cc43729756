"""Questions about forms, tables, lists and letters, made up with their answers, for training the
reader.

SQuAD, the reader's only labelled data, is Wikipedia prose. The documents people keep are full
of "Label: value" lines, table rows and lists of quantities, and there the reader's "no answer"
score beats its best span even when that span is right ("Reading / Quantity: 12093.4" for "gas
meter reading at check in", "4 eggs" for "How many eggs do I need?"). These examples show it
such text as docqa's extractors write it (`| Header: value | ... |` for a table row, `| Label |
value |` for a two-column table, `- Label: value` for an e-mail's header), sentences that carry
values as letters and terms do, with answers that keep the words making them one ("two months'
written notice"), questions asked the ways people ask them, and questions about a field the
document does not have (no answer), half of them of a kind it has.

Every value, name and label is drawn from the lists below with a seeded random generator, so a
run is reproducible. Nothing comes from SQuAD's validation or evaluation articles (one document
in two holds a paragraph of the training articles, unasked), and no person, town, street or
company named here appears in a document of scripts/kinds/.

scripts/reader_forms.py trains the reader on them. A first version of these questions, without
the sentences and with easier absent fields, was tried at stop 42 and not shipped
(BENCHMARKS.md).
"""

from __future__ import annotations

import random
import re

from reader_data import Example

FIRST = "Anwen Bram Carys Dev Elsa Farid Gwen Hugo Ivo Jonah Kofi Maelle Milo Nora Osian Pia"
LAST = "Arkwright Bellamy Crane Dunmore Eskdale Fothergill Gough Hesketh Iqbal Jarvis Kemble Lund"
TOWNS = "Alnwick Buxton Chard Dorking Evesham Frome Goole Hexham Ilkley Jarrow Keswick Ludlow"
STREETS = "Abbey Close, Birch Grove, Chapel Row, Dean Street, Elm Terrace, Forge Lane, Glebe Road"
COMPANIES = "Amberly Boxwell Corvane Dellmont Eastbrook Foxglove Grantley Holtby Irwell Juniper"
PLACES = "east entrance, first floor lobby, side gate, front desk, north car park, annexe"
MONTHS = "January February March April May June July August September October November December"
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"


def _pick(rng: random.Random, words: str, sep: str | None = None) -> str:
    return rng.choice([w.strip() for w in words.split(sep)])


def _person(rng: random.Random) -> str:
    title = rng.choice(["", "", "Dr ", "Mrs ", "Mr ", "Ms "])
    first = _pick(rng, FIRST)
    return f"{title}{rng.choice([first, first[0] + '.'])} {_pick(rng, LAST)}"


def _date(rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), _pick(rng, MONTHS), rng.choice([2025, 2026, 2027])
    return rng.choice([
        f"{day} {month} {year}", f"{_pick(rng, DAYS)} {day} {month} {year}",
        f"{day:02d}/{MONTHS.split().index(month) + 1:02d}/{year}", f"{day} {month[:3]} {year}",
    ])  # fmt: skip


def _money(rng: random.Random) -> str:
    pounds = rng.choice([rng.randint(5, 99), rng.randint(100, 999), rng.randint(1000, 9999)])
    pence = rng.choice(["", f".{rng.randint(0, 99):02d}", ".00"])
    return f"{rng.choice('£££$€')}{pounds:,}{pence}"


def _time(rng: random.Random) -> str:
    hour, minute = rng.randint(7, 20), rng.choice([0, 15, 30, 45, 10, 40])
    twelve, half = (hour - 1) % 12 + 1, "am" if hour < 12 else "pm"
    return rng.choice(
        [f"{hour:02d}:{minute:02d}", f"{twelve}{half}", f"{twelve}.{minute:02d}{half}"]
    )


def _phone(rng: random.Random) -> str:
    return rng.choice([
        f"0345 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        f"07700 900 {rng.randint(100, 999)}",
        f"0117 496 {rng.randint(1000, 9999)}",
    ])  # fmt: skip


def _code(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTWXZ") for _ in range(rng.randint(2, 3)))
    return rng.choice([
        f"{letters}-{rng.randint(1000, 9999)}-{rng.randint(100, 9999)}",
        f"{letters}{rng.randint(100000, 99999999)}",
        f"{rng.randint(10000000, 99999999)}",
    ])  # fmt: skip


def _address(rng: random.Random) -> str:
    return f"{rng.randint(1, 120)} {_pick(rng, STREETS, ',')}, {_pick(rng, TOWNS)}"


def _place(rng: random.Random) -> str:
    return rng.choice(
        [f"the {_pick(rng, PLACES, ',')}", _address(rng), f"{_pick(rng, COMPANIES)} House"]
    )


def _amount(rng: random.Random) -> str:
    return rng.choice([
        f"{rng.randint(2, 90)} days", f"{rng.randint(1, 60)}.{rng.randint(0, 9)} mm",
        f"{rng.randint(1000, 99999):,} miles", f"{rng.randint(2, 12)} weeks",
        f"{rng.randint(1, 500)} kWh", f"{rng.randint(2, 40)} people",
    ])  # fmt: skip


# (labels, value maker, how a question asks for it: "{label}" is the label in lower case)
FIELDS = (
    (
        "Total|Amount due|Balance|Deposit|Fee|Price|Monthly payment|Excess|Annual fee|Premium|"
        "Call-out charge|Cost",
        _money,
        [
            "How much is the {label}?",
            "what's the {label}",
            "{label}?",
            "how much is the {label} going to be",
            "{label} amount",
        ],
    ),
    (
        "Due date|Start date|Expiry date|Renewal date|Deadline|Issue date|Date of visit|End date|"
        "Appointment date|Payment date",
        _date,
        ["When is the {label}?", "{label}?", "what date is the {label}", "when's the {label}"],
    ),
    (
        "Time|Start time|Arrival time|Check-in|Time slot|Finish time|Doors open",
        _time,
        ["What time is {label}?", "{label} time", "what time's the {label}", "{label}?"],
    ),
    (
        "Phone|Tel|Telephone|Helpline|Contact number|Mobile",
        _phone,
        [
            "What is the {label} number?",
            "{label} number?",
            "{label} number to ring",
            "what's the {label} number",
        ],
    ),
    (
        "Contact|Manager|Inspector|Engineer|Account holder|Tenant|Organiser|Teacher|Landlord",
        _person,
        ["Who is the {label}?", "{label} name", "who's the {label}", "{label}?"],
    ),
    (
        "Reference|Policy number|Claim reference|Account number|Order number|Serial number|"
        "Booking reference|Customer ID",
        _code,
        ["What is the {label}?", "{label}?", "what's my {label}", "{label} please"],
    ),
    (
        "Address|Location|Venue|Meeting point|Where",
        _place,
        ["Where is the {label}?", "{label}?", "where's the {label}", "what's the {label}"],
    ),
    (
        "Mileage|Tread depth|Usage|Annual leave|Notice period|Guests|Capacity",
        _amount,
        ["What is the {label}?", "{label}?", "how much {label}", "what's the {label}"],
    ),
)
ROW_NAMES = (
    "Boiler|Cooker|Loft|Garage|Garden shed|Studio|Plot 4|Plot 9|Unit 3|Bay 2|Level 1|Level 2|"
    "Basic|Plus|Junior|Senior|Group A|Group B|Term 1|Term 2"
)
QUANTITIES = (
    "paper cups|extension leads|chairs|plates|batteries|litres of water|kg sand|bin bags|"
    "bags of compost|cones|spare fuses|packs of napkins|ml oil|name badges"
)


def _field(
    rng: random.Random, exclude: set[str], kind: tuple | None = None
) -> tuple[str, str, list[str]]:
    """A label, its value and the ways to ask for it: of `kind` (one of FIELDS) if given."""
    labels, make, asks = kind or rng.choice(FIELDS)
    label = rng.choice([x for x in labels.split("|") if x not in exclude] or labels.split("|"))
    return label, make(rng), asks


def _ask(rng: random.Random, asks: list[str], label: str) -> str:
    question = rng.choice(asks).format(label=label.lower())
    return question if rng.random() < 0.6 else question.lower().rstrip("?")


def _form(rng: random.Random) -> tuple[str, list[tuple[str, str | None]]]:
    """Label lines or a two-column table, questions about some of its fields and one not in it."""
    fields, used, kinds = [], set(), []
    for _ in range(rng.randint(3, 8)):
        kinds.append(rng.choice(FIELDS))
        label, value, asks = _field(rng, used, kinds[-1])
        used.add(label)
        fields.append((label, value, asks))
    style = rng.choice(["{l}: {v}", "- {l}: {v}", "| {l} | {v} |", "{l} - {v}"])
    lines = [style.format(l=label, v=value) for label, value, _ in fields]
    asked = [(_ask(rng, asks, label), value) for label, value, asks in rng.sample(fields, 2)]
    # half the time a field of a kind the form has ("Renewal date" beside "Start date")
    absent, _, asks = _field(rng, used, rng.choice([None, rng.choice(kinds)]))
    held = {word for label in used for word in label.lower().split()}
    if not held & set(absent.lower().split()):  # "Fee" is asked of "Annual fee"
        asked.append((_ask(rng, asks, absent), None))
    return "\n".join(lines), asked


def _table(rng: random.Random) -> tuple[str, list[tuple[str, str | None]]]:
    """A table's rows as `| Header: value |` cells; a question names a row and a column."""
    names = rng.sample(ROW_NAMES.split("|"), rng.randint(2, 5))
    columns = [_field(rng, set()) for _ in range(rng.randint(2, 3))]
    first = rng.choice(["Item", "Name", "Category", "Type", "Room"])
    cells = {
        name: [(label, FIELDS_BY_LABEL[label](rng)) for label, _, _ in columns] for name in names
    }
    lines = [
        "| "
        + " | ".join([f"{first}: {name}", *(f"{label}: {value}" for label, value in row)])
        + " |"
        for name, row in cells.items()
    ]
    name = rng.choice(names)
    label, value = rng.choice(cells[name])
    question = rng.choice(["{label} for the {name}", "What is the {label} for {name}?",
                           "{name} {label}?", "what's the {name} {label}"])  # fmt: skip
    question = question.format(label=label.lower(), name=name.lower())
    return "\n".join(lines), [(question, value)]


def _quantities(rng: random.Random) -> tuple[str, list[tuple[str, str | None]]]:
    """A list of quantities, as a recipe or a packing list has; asked how many or how much."""
    things = rng.sample(QUANTITIES.split("|"), rng.randint(3, 6))
    items = [(f"{rng.randint(2, 400)} {thing}", thing) for thing in things]
    lines = [f"{rng.choice(['- ', '', '* '])}{item}" for item, _ in items]
    item, thing = rng.choice(items)
    how = "How much" if thing.startswith(("kg ", "ml ", "litres")) else "How many"
    noun = (
        thing.split(" of ")[-1].split(" ", 1)[-1]
        if thing.startswith(("kg ", "ml "))
        else thing.split(" of ")[-1]
    )
    asked = rng.choice([f"{how} {noun} do we need?", f"{how.lower()} {noun}", f"{how} {noun}?"])
    return "\n".join(lines), [(asked, item)]


def _notice(rng: random.Random) -> str:
    """A notice period as a contract writes it: "two months'", "one week's"."""
    count, unit = rng.choice(["one", "two", "three", "six", "4", "12"]), _pick(rng, "week month")
    return f"one {unit}'s" if count == "one" else f"{count} {unit}s'"


AGREEMENTS = "agreement|membership|contract|booking|tenancy|plan|subscription|licence"
EVENTS = "the end of the tenancy|your return|the cancellation|receiving the item|the inspection"
TOPICS = "repairs|billing|bookings|parking|the alarm|lost keys|complaints|deliveries"


def _prose(rng: random.Random) -> tuple[str, list[tuple[str, str | None]]]:
    """Sentences that carry values, as letters and terms do; an answer keeps the words that make
    it one ("two months' written notice", "within 14 days of your return")."""
    deal, event, topic = (_pick(rng, words, "|") for words in (AGREEMENTS, EVENTS, TOPICS))
    fee = _pick(rng, "deposit|booking fee|admin fee|late fee|cleaning charge|joining fee", "|")
    money, date, person, phone = _money(rng), _date(rng), _person(rng), _phone(rng)
    notice, days, when, where = _notice(rng), rng.randint(3, 60), _time(rng), _place(rng)
    session = _pick(rng, "induction|class|inspection|meeting|handover|first session", "|")
    facts = [
        (f"Either party may end this {deal} by giving {notice} written notice.",
         [(f"How much notice is needed to end the {deal}?", f"{notice} written notice"),
          (f"notice period for the {deal}", f"{notice} written notice")]),
        (f"A {fee} of {money} is payable on or before {date}.",
         [(f"How much is the {fee}?", money), (f"when is the {fee} due", date)]),
        (f"Any refund will be paid within {days} days of {event}.",
         [("When will the refund be paid?", f"within {days} days of {event}"),
          ("how long until I get my refund", f"within {days} days of {event}")]),
        (f"For anything about {topic}, please contact {person} on {phone}.",
         [(f"Who do I contact about {topic}?", person),
          (f"what number do I ring about {topic}", phone)]),
        (f"Your {session} is at {when} on {date} at {where}.",
         [(f"What time is the {session}?", when), (f"where is the {session}", where)]),
    ]  # fmt: skip
    chosen = rng.sample(facts, rng.randint(2, 4))
    asked = [rng.choice(questions) for _, questions in chosen]
    left = [questions for _, questions in facts if all(q not in asked for q in questions)]
    if left and rng.random() < 0.5:  # a fact of the kind the text has, but not in it
        asked.append((rng.choice(rng.choice(left))[0], None))
    return " ".join(sentence for sentence, _ in chosen), asked


FIELDS_BY_LABEL = {label: make for labels, make, _ in FIELDS for label in labels.split("|")}
BLOCKS = (_form, _form, _table, _quantities, _prose, _prose)


ASKING_WORDS = set(
    "what whats what's when whens when's where wheres where's who whos who's how "
    "much many is the a do i we my for to of about please need".split()
)


def _named_in(question: str, context: str) -> bool:
    """Whether every word the question asks by is in `context`: a question made as one the
    document cannot answer may have been answered by another of its blocks."""
    words = set(re.findall(r"[a-z0-9'-]+", question.lower())) - ASKING_WORDS
    return all(re.search(rf"\b{re.escape(w)}\b", context.lower()) for w in words)


# Version 3: how documents people keep lay such text out, and how they ask about it.
# Words a person adds about themselves that no document holds ("the deposit for my room"): SQuAD
# taught the reader that a question's words missing from the passage mean no answer.
SITUATIONS = (
    "for my room|for our flat|when I collect it|for my son|for my daughter|for the kids|"
    "on my account|this time|for us|for me|when I pick her up|for my car|for next year|"
    "if I need it|for the house"
).split("|")
SITUATED_SHARE = 0.3
ALIGNED_SHARE = 0.6  # label lines padded into a column, as printed receipts have them
BULLETED_SHARE = 0.35  # sentences as a slide's bullets, without their full stops


def _situated(rng: random.Random, question: str, context: str) -> str:
    """`question` with, some of the time, a phrase about the asker none of whose words
    `context` holds."""
    phrase = rng.choice(SITUATIONS)
    words = set(re.findall(r"[a-z]+", phrase.lower())) - ASKING_WORDS - {"i", "it", "me", "us"}
    if rng.random() >= SITUATED_SHARE or any(
        re.search(rf"\b{w}\b", context.lower()) for w in words
    ):
        return question
    mark = "?" if question.endswith("?") else ""
    return f"{question.removesuffix('?')} {phrase}{mark}"


def _laid_out(rng: random.Random, text: str) -> str:
    """`text` as documents lay it out, some of the time: "Label: value" lines padded into a
    column, or sentences as bullets."""
    lines = text.split("\n")
    if all(re.fullmatch(r"[A-Z][^:|\n]*: .+", line) for line in lines):
        if rng.random() < ALIGNED_SHARE:
            pairs = [line.split(": ", 1) for line in lines]
            width = max(len(label) for label, _ in pairs) + 1 + rng.randint(2, 8)
            return "\n".join(f"{label + ':':<{width}}{value}" for label, value in pairs)
    elif len(lines) == 1 and ". " in text and rng.random() < BULLETED_SHARE:
        return "\n".join(f"- {s.removesuffix('.')}" for s in re.split(r"(?<=\.) ", text))
    return text


def form_examples(
    n: int, rng: random.Random, prose: list[str] | None = None, version: int = 2
) -> list[Example]:
    """`n` questions (about one in five with no answer) over made-up documents of two or three
    blocks of different kinds: a title, then forms, tables, lists and sentences; with `prose`
    (paragraphs of the training articles), one document in two also holds one of those, unasked.
    Version 2 made the shipped reader; version 3 also lays blocks out as documents do
    (`_laid_out`) and asks some questions with words about the asker (`_situated`)."""
    out: list[Example] = []
    while len(out) < n:
        title = (
            f"{_pick(rng, COMPANIES)} {rng.choice(['booking', 'statement', 'record', 'notice'])}"
        )
        blocks, asked, texts = [], [], []
        count = rng.randint(2, 3) if version >= 3 else None
        while len(blocks) < (count or rng.randint(2, 3)):  # version 2 drew the count each time
            if (block := rng.choice(BLOCKS)) not in blocks:
                blocks.append(block)
        for block in blocks:
            text, questions = block(rng)
            texts.append(_laid_out(rng, text) if version >= 3 else text)
            asked += questions
        if prose and rng.random() < 0.5:
            texts.insert(rng.randint(0, len(texts)), rng.choice(prose))
        context = "\n\n".join([title, *texts])
        for question, answer in asked:
            start = context.find(answer) if answer else -1
            if answer and (start < 0 or context.count(answer) > 1):
                continue  # an answer must be one place in the text
            if not answer and _named_in(question, context):
                continue
            if version >= 3:
                question = _situated(rng, question, context)
            answers = (answer,) if answer else ()
            starts = (start,) if answer else ()
            out.append(Example(f"form-{len(out)}", question, context, answers, starts, 0))
    return out[:n]
