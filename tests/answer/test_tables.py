"""Answers from spreadsheet rows: the cell where the row and the column the question names meet."""

import io

import pytest

from app.answer.cells import rows, within_cell
from app.answer.tables import best_cell, cell_overlap, in_named_row
from app.engine import Engine
from app.ingest.pipeline import ingest
from app.records import Passage
from tests.conftest import assert_verbatim, make_table_pdf

TWO_PERIODS = (
    "Results\n\n"
    "| In millions of CHF | | | January-June 2023 |\n"
    "| | Sales | Trading operating profit | Depreciation |\n"
    "| In millions of CHF: Zone EUR | Sales: 9467 | Trading operating profit: 1373 | "
    "January-June 2023 Depreciation: -414 |\n"
    "| In millions of CHF: Zone AOA | Sales: 9060 | Trading operating profit: 1985 | "
    "January-June 2023 Depreciation: -259 |\n"
    "| In millions of CHF: Zone EUR | Sales: 9283 | Trading operating profit: 1494 | "
    "January-June 2022 Depreciation: -401 |\n"
)


def _passage(text: str, n: int = 0, source: str = "results.xlsx") -> Passage:
    return Passage(id=n, source=source, page=1, start=0, end=len(text), text=text, score=1)


def _idf(question: str) -> dict[str, float]:
    from app.answer.retrieval import content_words

    return dict.fromkeys(content_words(question), 1.0)


def _answer(question: str, *texts: str, source: str = "results.xlsx") -> str:
    passages = [_passage(t, n, source) for n, t in enumerate(texts)]
    found = best_cell(passages, _idf(question), question)
    assert found is not None, question
    position, cell = found
    return texts[position][cell.start : cell.end]


def test_the_row_and_the_column_the_question_names():
    assert _answer("What were the sales of Zone EUR in January-June 2023?", TWO_PERIODS) == "9467"
    assert _answer("Sales of Zone EUR in January-June 2022?", TWO_PERIODS) == "9283"
    assert _answer("Trading operating profit of Zone AOA?", TWO_PERIODS) == "1985"
    assert _answer("What was the depreciation of Zone AOA?", TWO_PERIODS) == "-259"


def test_the_cell_that_names_the_row_is_not_the_answer():
    table = (
        "| Abbreviation | Question Type |\n"
        "| Abbreviation: ORD | Question Type: Ordering |\n"
        "| Abbreviation: ESS | Question Type: Essay |\n"
    )
    assert _answer("What question type does the abbreviation ORD stand for?", table) == "Ordering"
    assert _answer("What is the abbreviation for the Essay question type?", table) == "ESS"


def test_no_cell_without_a_row_and_a_header_the_question_names():
    assert best_cell([_passage(TWO_PERIODS)], _idf("Who founded the company?")) is None
    prose = "Zone EUR sales were 9467 million francs in the first half."
    assert best_cell([_passage(prose)], _idf("What were the sales of Zone EUR?")) is None


MILESTONES = (
    "Project Falcon\n\n| Milestone | Owner | Due date |\n"
    "| Milestone: Data migration | Owner: Priya Raman | Due date: 2024-03-15 |\n"
    "| Milestone: Security audit | Owner: Lena Ortiz | Due date: 2024-05-20 |\n"
)


def test_a_header_may_name_the_column_with_another_form_of_the_questions_verb():
    """Snowball keeps "owner" whole, so "owns" did not name the "Owner" column."""
    assert _answer("Who owns the data migration?", MILESTONES) == "Priya Raman"
    rent = "| Month: May | Payment: 300 |\n| Month: June | Payment: 320 |\n"
    assert _answer("How much did the tenant pay in June?", rent) == "320"
    assert best_cell([_passage(MILESTONES)], _idf("Who rented the data migration?")) is None


def test_a_cells_confidence_reads_the_question_in_its_row_and_its_header():
    idf = {"owns": 2.0, "data": 1.0, "migration": 1.0}
    cells = {c.value: c for row in rows(MILESTONES) for c in row}
    assert cell_overlap(MILESTONES, cells["Priya Raman"], idf) == 1.0
    assert cell_overlap(MILESTONES, cells["Lena Ortiz"], idf) == 0.5  # the column alone
    assert cell_overlap(MILESTONES, cells["2024-03-15"], idf) == 0.5  # the row alone


def test_a_label_table_answers_with_the_value_its_label_names():
    labels = "| Sponsor | Helen Brooks |\n| Vendor | Northwind Systems |\n| Phone | +44 20 7946 |\n"
    assert _answer("Who is the vendor?", labels) == "Northwind Systems"
    assert _answer("What is the phone number?", labels) == "+44 20 7946"
    # a row the question also names by its values beats a label that only names the column
    named = "| Region: Asia | Vendor: Contoso |\n"
    assert _answer("Who is the vendor in Asia?", labels, named) == "Contoso"
    assert best_cell([_passage(labels)], _idf("Who is Helen Brooks?")) is None


def test_a_two_column_table_of_keys_answers_a_question_that_names_a_key():
    """A welcome book's "| Item | Details |" table: the header names no key, the key cell names
    the question whole."""
    table = (
        "| Item: WiFi network | Details: CurlewCottage_Guest |\n"
        "| Item: WiFi password | Details: HeatherMoss2024! |\n"
    )
    assert _answer("whats the wifi password", table) == "HeatherMoss2024!"
    assert _answer("What is the WiFi network?", table) == "CurlewCottage_Guest"
    # asked something the table does not hold, it gives nothing
    assert best_cell([_passage(table)], _idf("when was the wifi password changed")) is None
    # a wider table is no table of keys
    wide = "| Item: WiFi password | Details: HeatherMoss2024! | Room: Hall |\n"
    assert best_cell([_passage(wide)], _idf("whats the wifi password")) is None


PACKAGES = (
    "| Package | Hours | Price | Saving |\n"
    "| Package: Starter | Hours: 5 | Price: £195 | Saving: £10 |\n"
    "| Package: Confidence | Hours: 10 | Price: £375 | Saving: £35 |\n"
)


def test_a_number_under_the_header_the_question_names_it_by_names_the_row():
    """ "10 hour" names the row of "Hours: 10", not the one saving "£10"; the first column says
    what each row is, so "package" names no column unless asked which."""
    assert _answer("price of the 10 hour package", PACKAGES) == "£375"
    assert _answer("which package has 10 hours", PACKAGES) == "Confidence"
    lessons = (
        "| Lesson: 7 | Focus: Scales | Fee: £30.00 |\n"
        "| Lesson: 8 | Focus: Mock exam | Fee: £33.00 |\n"
    )
    assert _answer("how much was the mock exam lesson", lessons) == "£33.00"
    calendar = (
        "| Date: 20/12/2025 | Notes: Normal week |\n| Date: 27/12/2025 | Notes: Christmas week |\n"
    )
    assert _answer("christmas week collection date?", calendar) == "27/12/2025"


def test_an_ordinal_names_the_row_of_its_number():
    table = (
        "| Instalment | Due date | Amount |\n"
        "| Instalment: 1 (Autumn term) | Due date: 3 October 2025 | Amount: £2,134.34 |\n"
        "| Instalment: 2 (Spring term) | Due date: 9 January 2026 | Amount: £2,134.33 |\n"
    )
    assert _answer("When's the second instalment due", table) == "9 January 2026"
    assert _answer("first instalment amount", table) == "£2,134.34"


def test_a_long_value_answers_when_its_label_is_what_the_question_word_asks_for():
    """An address is longer than most labels' values; asked where, the Location is the answer
    whole, where the reader marked the dentist's name in the event's heading."""
    event = (
        "Dental check-up with Dr Hamid\n\n- Date: Tuesday 14 October 2025\n"
        "- Location: Harbour Dental Practice, 12 Quay Street, Bristol BS1 4DJ\n"
        "- Organiser: Harbour Dental <bookings@harbour.example>\n"
    )
    question = "Where is the dental check-up?"
    assert _answer(question, event) == "Harbour Dental Practice, 12 Quay Street, Bristol BS1 4DJ"
    long_note = "- Note: Please bring your glasses and a list of the medicines you take daily\n"
    assert (
        best_cell([_passage(event + long_note)], _idf("what is the note for the check-up")) is None
    )


def test_a_run_of_label_lines_answers_like_a_label_table_and_a_lone_one_is_a_heading():
    """A form's fields and an e-mail's header lines are label tables written as lines; the
    reader, trained on prose, answered "What is the fingerprint?" with the name above it."""
    form = "Name: Foo Bar\nFingerprint: asdfSa2123\nSigned: 12-34-2007T12:34:56"
    assert _answer("What is the fingerprint?", form) == "asdfSa2123"
    assert _answer("When was it signed?", form) == "12-34-2007T12:34:56"
    mail = "Test\n\n- From: alice@example.com\n- Cc: carol@example.com\n\nHello Bob."
    assert _answer("Who is on cc?", mail) == "carol@example.com"
    heading = "KX-500 cordless vacuum: technical data\nModel KX-500\n\n| Weight | 2.3 kg |"
    assert best_cell([_passage(heading)], _idf("How much does the KX-500 weigh?")) is None
    prose = "Note: the boiler must be serviced every year by an engineer with a licence.\nOk: yes"
    assert best_cell([_passage(prose)], _idf("What does the note say?")) is None


def test_label_lines_indented_compound_or_named_by_the_question_word_give_their_value():
    """A plain-text itinerary indents its fields; "checkout" asks for "Check-out"; a label that
    holds the question's words beats a shorter one that holds fewer, though a word of the file
    name ("service" of car-service-report.txt) counts less; and a long value is the reader's,
    not a worse-named label's."""
    hotel = "  Hotel:      Casa do Largo\n  Check-out:  by 11:00, Saturday 14 June\n  Nights:  5"
    assert _answer("When is checkout?", hotel) == "by 11:00, Saturday 14 June"
    car = (
        "Payment:          Paid by debit card\n"
        "Next service due: 19 March 2026 or 58,312 miles\nMOT due:          2 August 2025"
    )
    ask = lambda question: _answer(question, car, source="car-service-report.txt")  # noqa: E731
    assert ask("When is my car's next service due?") == "19 March 2026 or 58,312 miles"
    assert ask("When is the MOT due?") == "2 August 2025"
    long = car.replace("58,312 miles", "58,312 miles, whichever of the two comes sooner")
    passage = _passage(long, source="car-service-report.txt")
    assert best_cell([passage], _idf("When is my car's next service due?")) is None


def test_a_row_is_named_by_its_date_in_digits_as_the_question_spells_it():
    """A question's "4 march" names the row dated 04/03/2025 (app.answer.dates), not the row of
    lesson 4, nor one whose date is in March alone; the date cell names the row, so is not the
    answer."""
    lessons = (
        "| Lesson | Date | Day | Time | Focus |\n"
        "| Lesson: 4 | Date: 25/02/2025 | Day: Tue | Time: 16:15 | Focus: Grade 4 scales |\n"
        "| Lesson: 8 | Date: 04/03/2025 | Day: Tue | Time: 17:00 | Focus: Mock exam |\n"
        "| Lesson: 9 | Date: 11/03/2025 | Day: Tue | Time: 16:15 | Focus: Duets |\n"
    )
    asked = {"what time is piano on 4 march": "17:00", "what's the focus on 4th mar?": "Mock exam",
             "What time is the lesson on the 11th of March?": "16:15"}  # fmt: skip
    assert {question: _answer(question, lessons) for question in asked} == asked


def test_a_cell_that_says_it_has_no_value_answers_only_where_its_row_is_named_better():
    """A cell of "n/a" is no answer to what the upload speed is while another row has one, but
    is the answer for the row the question names."""
    speeds = (
        "| | Download | Upload |\n"
        "| Average peak-time speed | Download: 500Mbps | Upload: 74Mbps |\n"
        "| Minimum guaranteed speed | Download: 350Mbps | Upload: n/a |\n"
    )
    asked = {"What upload speed should I be getting?": "74Mbps",
             "what is the minimum guaranteed upload speed": "n/a"}  # fmt: skip
    assert {question: _answer(question, speeds) for question in asked} == asked


def test_a_forms_label_is_named_by_the_words_people_ask_it_with():
    """A question's "pick up" asks for "Collection", "date of birth" for "DOB", "policy
    number" for "Policy no." (`asking.SYNONYMS`)."""
    days = (
        "| Day | Drop-off | Collection |\n"
        "| Day: Tuesday | Drop-off: 08:00 | Collection: 17:30 |\n"
        "| Day: Thursday | Drop-off: 08:15 | Collection: 13:00 |\n"
    )
    assert _answer("what time do we pick Isla up on a Thursday", days) == "13:00"
    form = "Name: Mateo Alvarez\nDOB: 2019-05-14\nPolicy no.: PX-20931\nPostcode: LS6 2AB"
    asked = {"What is Mateo's date of birth?": "2019-05-14", "zip code?": "LS6 2AB",
             "What's the policy number?": "PX-20931"}  # fmt: skip
    assert {question: _answer(question, form) for question in asked} == asked


def test_a_label_asked_for_by_the_question_word_answers_in_the_record_that_holds_the_rest():
    """A calendar's events: "Where is swimming?" names no label by its words, but "where"
    asks for "Location", and the record under "Swimming lesson" holds "swimming"."""
    events = (
        "Half term\n\n- Date: Monday 27 October 2025\n- Location: Hollybank Primary\n\n"
        "Swimming lesson\n\n- Date: Tuesday 6 May 2025\n- Location: Hollybank Leisure Centre\n"
    )
    asked = {"Where is swimming?": "Hollybank Leisure Centre",
             "what day is swimming": "Tuesday 6 May 2025"}  # fmt: skip
    assert {question: _answer(question, events) for question in asked} == asked
    assert best_cell([_passage(events)], _idf("Where is the choir?"), "Where is the choir?") is None


def test_a_label_that_answers_a_question_asked_when_holds_a_time():
    """A name says no when, though "Installer" holds the stem of "installation" whole.
    "Finished" asks for "completed" (`asking.SYNONYMS`)."""
    form = (
        "Installer: Gareth Pryce\nInstallation started: 3 March 2025\n"
        "Installation completed: 11 March 2025\nModel: HX9"
    )
    assert _answer("When was the installation finished?", form) == "11 March 2025"
    assert _answer("When did the installation begin?", form) == "3 March 2025"
    assert _answer("Who was the installer?", form) == "Gareth Pryce"


def test_a_table_row_the_question_names_whole_answers_where_with_its_room():
    programme = (
        "| Time | Session | Room |\n"
        "| Time: 09:30 | Session: Opening keynote | Room: Aire Hall |\n"
        "| Time: 11:00 | Session: Workshop on open transport data | Room: Seminar Room 3 |\n"
    )
    assert _answer("Where is the open transport data workshop?", programme) == "Seminar Room 3"


def test_a_label_line_of_several_fields_is_a_run_of_its_own():
    """ "Wi-Fi network: OCF2025-Guest, password: civicdata25" stood alone in a list: a lone
    label line is a heading, so its value was the reader's, who answered the network for the
    password (held out 3). A span from one field's value ends before the next field."""
    venue = "- Badges must be worn.\n- Wi-Fi network: OCF2025-Guest, password: civicdata25\n"
    assert _answer("What is the wi-fi password?", venue) == "civicdata25"
    assert _answer("What is the wi-fi network?", venue) == "OCF2025-Guest"
    contact = "Tel: 0117 496 0123; Fax: 0117 496 0124"
    assert _answer("What is the fax number?", contact) == "0117 496 0124"
    start = venue.index("OCF")
    assert venue[slice(*within_cell(venue, start, venue.index("civic")))] == "OCF2025-Guest"
    prose = "Note: see the manual, chapter 4, which covers it.\n"
    assert best_cell([_passage(prose)], _idf("What does chapter 4 cover?")) is None


OFFSITE = (
    "Team offsite in Lisbon\n\n- From: Priya Raman <priya@acme.example>\n"
    "- To: Engineering <eng@acme.example>\n- Cc: Lena Ortiz <lena@acme.example>\n"
    "- Date: Fri, 19 Jan 2024 11:02:45 +0000\n\n"
    "Our spring offsite will be in Lisbon from 11 to 13 March. The lease ends in August."
)
BUDGET = (
    "Q3 budget review\n\n- From: Maria Lopez <maria@northwind.example>\n"
    "- Cc: Tom Becker <tom@northwind.example>\n- Date: Tue, 12 Sep 2023 09:14:02 +0200\n\n"
    "The Q3 budget review is moved to Thursday."
)


def test_an_email_header_line_is_found_by_the_verb_that_asks_for_it():
    """ "from", "to" and "when" are stop words, so "Who sent it?" named no label and the
    reader answered from the body (a recipient, for "Who is it from?")."""
    ask = lambda question: _answer(question, OFFSITE, source="offsite.eml")  # noqa: E731
    assert ask("Who sent the offsite email?") == "Priya Raman <priya@acme.example>"
    assert ask("Who is the offsite email from?") == "Priya Raman <priya@acme.example>"
    assert ask("Who received the offsite email?") == "Engineering <eng@acme.example>"
    assert ask("Who was the offsite email sent to?") == "Engineering <eng@acme.example>"
    assert ask("Who was copied on it?") == "Lena Ortiz <lena@acme.example>"
    assert ask("Who of the recipients was copied?") == "Lena Ortiz <lena@acme.example>"
    assert ask("When was the offsite email sent?") == "Fri, 19 Jan 2024 11:02:45 +0000"
    assert ask("Who sent the offsite plans to HR?") == "Priya Raman <priya@acme.example>"
    for question in (
        "When does the lease end?",
        "Where is the offsite?",
        "Who organises it?",
        "Who benefits from the offsite?",
    ):
        assert best_cell([_passage(OFFSITE)], _idf(question), question) is None, question


def test_outlook_s_sent_line_is_the_date_not_the_sender():
    forwarded = "From: Bob Stone\nSent: Monday, 3 June 2024 10:02\nTo: Ann Lee\nSubject: Plans"
    assert _answer("Who sent the plans?", forwarded) == "Bob Stone"
    assert _answer("When were the plans sent?", forwarded) == "Monday, 3 June 2024 10:02"


def test_of_header_lines_asked_alike_the_one_in_the_email_the_question_names_wins():
    question = "Who was copied on the offsite email?"
    passages = [_passage(BUDGET, 0, "budget.eml"), _passage(OFFSITE, 1, "offsite.eml")]
    position, cell = best_cell(passages, _idf(question), question)
    assert (position, OFFSITE[cell.start : cell.end]) == (1, "Lena Ortiz <lena@acme.example>")


INVOICE = (
    "INVOICE\n\nInvoice number: INV-2025-0417\nInvoice date: 14 April 2025\n"
    "Due date: 14 May 2025\n\nBilled to: Greenleaf Cafe, 8 Market Row, York\n"
    "From: Copperpot Kitchen Supplies, Unit 3, Foss Industrial Estate, York YO31 7UT\n\n"
    "Subtotal: 496.00 GBP\nVAT (20%): 99.20 GBP\nTotal due: 595.20 GBP\n"
)


def test_a_word_naming_the_document_names_none_of_its_labels():
    """ "invoice" named "Invoice number" and "Invoice date" as much as "due" named "Due date",
    and every question about the invoice got its number."""
    ask = lambda question: _answer(question, INVOICE, source="invoice-0417.pdf")  # noqa: E731
    assert ask("When is the invoice due?") == "14 May 2025"
    assert ask("What is the invoice number?") == "INV-2025-0417"
    assert ask("What is the invoice date?") == "14 April 2025"
    assert ask("What is the total due on the invoice?") == "595.20 GBP"
    assert ask("How much VAT is charged?") == "99.20 GBP", "a label may hold '%'"
    assert ask("Who is the invoice billed to?") == "Greenleaf Cafe, 8 Market Row, York"
    assert ask("How much is due?") == "595.20 GBP", "'how much' asks for a total, not a date"


def test_a_label_naming_the_whole_question_may_answer_from_another_passage():
    head, totals = INVOICE.split("\n\nSubtotal")
    passages = [_passage(head, 0, "invoice.pdf"), _passage("Subtotal" + totals, 1, "invoice.pdf")]
    position, cell = best_cell(passages, _idf("What is the total due?"), "What is the total due?")
    assert (position, cell.named_whole) == (1, True)
    question = "What is due on 14 May?"
    position, cell = best_cell(passages, _idf(question), question)
    assert not cell.named_whole


def _workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Segments"
    sheet.append(["Revenue and results"])
    sheet.append([])
    sheet.append(["In millions of CHF", None, None, "January-June 2023"])
    sheet.append([None, "Sales", "Trading operating profit", "Depreciation"])
    sheet.append([])
    for zone, sales, profit, depreciation in [
        ("Zone NA", 12553, 2632, -337),
        ("Zone EUR", 9467, 1373, -414),
        ("Zone AOA", 9060, 1985, -259),
    ]:
        sheet.append([zone, sales, profit, depreciation])
    sheet.append([])
    sheet.append(["In millions of CHF", None, None, "January-June 2022"])
    sheet.append([None, "Sales", "Trading operating profit", "Depreciation"])
    for zone, sales, profit, depreciation in [
        ("Zone NA", 12138, 1829, -330),
        ("Zone EUR", 9283, 1494, -401),
    ]:
        sheet.append([zone, sales, profit, depreciation])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ask_for_cells(settings, embedder, source: str, questions: list[tuple[str, str]]) -> Engine:
    """Index the corpus, then ask each question: its answer is the expected cell, verbatim in
    `source`."""
    ingest(settings, embedder=embedder)
    engine = Engine(settings)
    engine.embedder = embedder
    for question, expected in questions:
        answer = engine.ask(question)
        assert answer.answer == expected, (question, answer.answer, answer.confidence)
        assert answer.citations[0].source == source
        assert_verbatim(answer, engine.reader())
    return engine


def test_a_spreadsheet_question_gets_its_cell_verbatim(settings, real_embedder):
    (settings.corpus / "results.xlsx").write_bytes(_workbook())
    (settings.corpus / "notes.txt").write_text("The board meets every second Tuesday in Zurich.")
    engine = _ask_for_cells(settings, real_embedder, "results.xlsx", [
        ("What were the sales of Zone EUR in January-June 2023?", "9467"),
        ("What was the trading operating profit of Zone AOA in January-June 2023?", "1985"),
        ("What were the sales of Zone EUR in January-June 2022?", "9283"),
        ("What was the depreciation of Zone NA in January-June 2022?", "-330"),
    ])  # fmt: skip
    answer = engine.ask("What were the sales of Zone EUR in January-June 2023?")
    assert answer.citations[0].location.startswith("sheet Segments, rows")


FALCON_TITLE = "Project Falcon status at the end of the third quarter."
FALCON_TABLES = [
    [
        ("Milestone", "Owner", "Due date", "Status"),
        ("Data migration", "Priya Raman", "2024-03-15", "Late"),
        ("Security audit", "Lena Ortiz", "2024-05-20", "Not started"),
        ("Go-live", "Marcus Hale", "2024-06-01", "On track"),
    ],
    [
        ("Sponsor", "Helen Brooks"),
        ("Vendor", "Northwind Systems"),
        ("Contract number", "NW-2291-B"),
        ("Support phone", "+44 20 7946 0958"),
    ],
]
FALCON_QUESTIONS = [
    ("When is the security audit due?", "2024-05-20"),
    ("Who owns the data migration?", "Priya Raman"),
    ("Who is the sponsor?", "Helen Brooks"),
    ("What is the status of the security audit?", "Not started"),
    ("When is the data migration due?", "2024-03-15"),
    ("Who is the owner of the go-live?", "Marcus Hale"),
    ("What is the contract number?", "NW-2291-B"),
    ("What is the support phone number?", "+44 20 7946 0958"),
]


def test_questions_about_the_tables_of_a_lone_word_file_get_their_cells(settings, real_embedder):
    """A user's first try: one short report, so an index of one or two chunks, where BM25's
    IDF is nothing for every word. Before, docqa said "no answer" to five of these seven and
    answered the phone number with "NW-2291-B |\n| Support phone"."""
    import docx

    document = docx.Document()
    document.add_paragraph(FALCON_TITLE)
    for table_rows in FALCON_TABLES:
        table = document.add_table(rows=len(table_rows), cols=len(table_rows[0]))
        for row, cells in zip(table.rows, table_rows, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    document.save(settings.corpus / "falcon.docx")
    _ask_for_cells(settings, real_embedder, "falcon.docx", FALCON_QUESTIONS)


def test_questions_about_the_tables_of_a_pdf_get_their_cells(settings, real_embedder):
    """The same report printed to PDF, where pypdf reads a row as "Security audit Lena Ortiz
    2024-05-20 Not started": its tables are read from pdfium's character boxes and named as
    the Word file's are, so each question gets its cell."""
    make_table_pdf(settings.corpus / "falcon.pdf", [FALCON_TITLE, *FALCON_TABLES])
    _ask_for_cells(settings, real_embedder, "falcon.pdf", FALCON_QUESTIONS)


def _html_page(tables: list[list[tuple[str, ...]]]) -> str:
    rows = (
        "<table>"
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in t)
        + "</table>"
        for t in tables
    )
    return f"<html><body><p>{FALCON_TITLE}</p>{'<br>'.join(rows)}</body></html>"


def _markdown_page(tables: list[list[tuple[str, ...]]]) -> str:
    drawn = []
    for table in tables:
        lines = ["| " + " | ".join(row) + " |" for row in table]
        drawn.append("\n".join([lines[0], "|" + "---|" * len(table[0]), *lines[1:]]))
    return f"{FALCON_TITLE}\n\n" + "\n\n".join(drawn) + "\n"


@pytest.mark.parametrize(
    ("name", "page"), [("falcon.html", _html_page), ("falcon.md", _markdown_page)]
)
def test_questions_about_the_tables_of_a_web_page_or_markdown_note_get_their_cells(
    settings, real_embedder, name, page
):
    """The same report as a web page and as a Markdown note. Before, an HTML table's row read
    as one line of words ("Security audit Lena Ortiz 2024-05-20 Not started") and a Markdown
    table's as its pipes, so no cell was named by its column. (With a heading "Falcon" above
    the title, "Who owns the data migration?" gets its cell at confidence 0.43, under the
    threshold: one short document gives retrieval little to be sure of.)"""
    (settings.corpus / name).write_text(page(FALCON_TABLES))
    _ask_for_cells(settings, real_embedder, name, FALCON_QUESTIONS)


def test_questions_about_a_table_lined_up_with_spaces_in_a_text_file_get_their_cells(
    settings, real_embedder
):
    """A washing machine's manual as plain text, its error codes in columns of spaces whose
    last column wraps. Before, "What does E03 mean?" got "7.3" (of "see 7.3" in the row's
    advice), at 0.48."""
    (settings.corpus / "manual.txt").write_text(
        "WM8400 USER MANUAL - TROUBLESHOOTING\n\n"
        "If a fault occurs, the display shows a code and the machine beeps.\n\n"
        "  Code   Meaning               What to do\n"
        "  ----   -------------------   ------------------------------------------\n"
        "  E01    Door not locked       Close the door firmly until it clicks,\n"
        "                               then press Start/Pause again.\n"
        "  E03    Water not draining    Clean the drain pump filter (see 7.3).\n"
        "                               Check the drain hose is not blocked.\n"
        "  E05    Heating fault         Switch off at the wall for 10 minutes.\n"
    )
    _ask_for_cells(
        settings,
        real_embedder,
        "manual.txt",
        [
            ("What does E03 mean?", "Water not draining"),
            ("What does error code E05 mean?", "Heating fault"),
        ],
    )


def _lessons_workbook() -> bytes:
    """Swimming lessons as a sheet stores them: numbers and dates with their formats."""
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Lessons"
    sheet.append(["Class", "Day", "Start", "First lesson", "Fee", "Sibling discount"])
    sheet.append(["Stage 3", "Monday", dt.time(16, 30), dt.date(2025, 4, 28), 62.5, 0.1])
    sheet.append(["Stage 5", "Wednesday", dt.time(17, 15), dt.date(2025, 4, 30), 70, 0.15])
    for row in sheet.iter_rows(min_row=2):
        formats = (None, None, "h:mm AM/PM", "d mmmm yyyy", '"£"#,##0.00', "0%")
        for cell, number_format in zip(row, formats, strict=True):
            cell.number_format = number_format or cell.number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbooks_numbers_and_dates_are_answered_as_the_sheet_shows_them(
    settings, real_embedder
):
    """The fee is "£62.50", as the sheet shows it, not the 62.5 it stores (number_formats)."""
    (settings.corpus / "swimming.xlsx").write_bytes(_lessons_workbook())
    _ask_for_cells(settings, real_embedder, "swimming.xlsx", [
        ("How much is the fee for Stage 3?", "£62.50"),
        ("What time does Stage 5 start?", "5:15 PM"),
        ("When is the first Stage 3 lesson?", "28 April 2025"),
        ("What is the sibling discount for Stage 5?", "15%"),
    ])  # fmt: skip


def test_a_word_naming_both_the_row_and_a_column_names_the_column():
    """ "adult" names the Adult column and, in "Adult Only", the swim's row too; the row that
    names only "swim" has no adult price."""
    prices = (
        "| Activity | Adult | Junior | Concession |\n"
        "| Activity: Swim (Lane, Adult Only) | Adult: £5.20 | Junior: £3.10 | Concession: £3.60 |\n"
        "| Activity: Over 60s Swim | Adult: n/a | Junior: n/a | Concession: £3.60 |\n"
    )
    assert _answer("How much is an adult swim?", prices) == "£5.20"
    assert _answer("junior price for a swim", prices) == "£3.10"


def test_a_question_asked_why_is_answered_by_a_cell_only_under_a_header_of_reasons():
    readings = (
        "| Reading | Date | Type |\n| Reading: 01301 | Date: 7 April 2025 | Type: Estimated |\n"
    )
    question = "Why was my reading estimated?"
    assert best_cell([_passage(readings)], _idf(question), question) is None
    refusals = "| Payment | Reason |\n| Payment: £40.00 | Reason: Card expired |\n"
    assert _answer("Why was the £40.00 payment refused?", refusals) == "Card expired"


def test_a_dotted_leader_parts_a_label_from_its_value():
    """A leaflet's list of what a charity shop takes, as plain text sets it."""
    leaflet = (
        "Mattresses ............................. No\n"
        "Prams and pushchairs ................... Yes, if folding mechanism works\n"
        "Car seats .............................. No, for safety reasons\n"
    )
    assert _answer("do you take prams?", leaflet) == "Yes, if folding mechanism works"
    assert _answer("car seats?", leaflet) == "No, for safety reasons"


def test_a_line_of_dots_or_spaces_is_read_at_once():
    """No label holds two dots running, so where one ends is plain: a line of 30,000 dots or
    spaces does not take seconds."""
    import time

    from app.answer.label_lines import label_lines

    started = time.perf_counter()
    for line in ("x" + " " * 30_000 + "." * 30_000, "x" + " ." * 20_000, "x:" + " " * 30_000):
        list(label_lines(f"{line}\n{line}"))
    assert time.perf_counter() - started < 5.0  # a hang, not a speed: ~0.05 s here


HOURS = (
    "Opening times\n\n| Day | Open | Last entry |\n"
    "| Day: Monday – Friday | Open: 10am – 10pm | Last entry: 9pm |\n"
    "| Day: Saturday | Open: 9am – 8pm | Last entry: 7pm |\n"
    "| Day: Sunday | Open: 9am – 6pm | Last entry: 5pm |\n\n"
    "| Ticket | Price |\n| Ticket: Sunday saver | Price: £9.00 |\n"
)


@pytest.mark.parametrize(
    ("idf", "marked", "expected"),
    [
        ({"gritstone": 3.0, "shut": 2.0, "sunday": 2.5}, "9am – 8pm", "9am – 6pm"),
        ({"gritstone": 3.0, "shut": 2.0, "sunday": 2.5}, "9am – 6pm", None),  # its own row
        ({"saturday": 2.5, "last": 1.0, "entry": 1.0}, "9pm", "7pm"),
        ({"shut": 2.0}, "9am – 8pm", None),  # no row named
        ({"sunday": 2.5}, "£9.00", None),  # the only row of its table
    ],
)
def test_the_readers_column_is_read_in_the_row_the_question_names(idf, marked, expected):
    """ "what time does gritstone shut on a sunday" names the Sunday row but no column; the
    reader marked the Saturday row's opening hours (held out 18)."""
    cell = in_named_row(HOURS, HOURS.index(marked), idf)
    assert (HOURS[cell.start : cell.end] if cell else None) == expected
