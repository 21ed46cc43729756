"""Questions that name a document by its file name find that document's passages."""

import dataclasses

from app.answer import calibration, retrieval
from app.answer.file_names import kind_words, named_sources
from app.answer.retrieval import NAMED_WITHIN, content_words, search
from app.ingest.pipeline import ingest
from app.store.filters import condition, restrict
from app.store.folder import open_index
from app.store.manifest import FileEntry, Manifest
from tests.conftest import indexed_engine, write_files

# A chat export that never says what it is, beside tables whose text says "teams" many times
DOCS = {
    "notes/teams_chat.txt": "0:0:3.270 --> 0:0:4.250 James Bond: Umm.\nsaved by Dennis Forsythe",
    "00-001.txt": "The lighthouse keeper's log records every ship that passed in 1911.",
    **{
        f"hockey/season-{year}.csv": f"Team,Cups\nMaple Leafs,{year % 7}\nAll teams,{year % 11}\n"
        for year in range(2016, 2024)
    },
}


def _manifest(*sources: str) -> Manifest:
    files = {s: FileEntry(sha256="x", size=1, mtime_ns=0, chunks=1) for s in sources}
    return Manifest(model="m", dim=3, chunk_tokens=200, chunk_overlap=40, files=files)


def test_the_files_holding_most_of_the_question_s_words_in_their_names():
    manifest = _manifest(
        *DOCS, "notes/TeamsMeeting.docx", "teams-roster.xlsx", "teams/2023.pdf", "budget-2024.xlsx"
    )
    named = named_sources(manifest, content_words("Who saved the Teams chat?"))
    assert named == ["notes/teams_chat.txt"]  # "teams" alone is in four names
    assert named_sources(manifest, content_words("What is the 2024 budget?")) == [
        "budget-2024.xlsx"
    ]
    assert named_sources(manifest, content_words("What happened at the Teams meeting?")) == [
        "notes/TeamsMeeting.docx"  # camel case is two words; words are stemmed
    ]
    # a word in more than NAMED_FILES names names none of them; nor do numbers and short words
    assert named_sources(manifest, content_words("Which teams won?")) == []
    assert named_sources(manifest, content_words("What does 001 say?")) == []


def test_a_question_naming_a_file_gets_its_passage_read(tmp_path, real_embedder):
    from app.settings import Settings

    write_files(tmp_path / "corpus", DOCS)
    settings = Settings.from_env({}, corpus=tmp_path / "corpus", index=tmp_path / "index")
    ingest(settings, embedder=real_embedder)
    reader = open_index(settings.index)
    question = "Who saved the Teams chat?"
    read = [p.source for p in search(reader, real_embedder, question, k=NAMED_WITHIN)]
    assert "notes/teams_chat.txt" in read
    with_names, retrieval.NAMED_WEIGHT = retrieval.NAMED_WEIGHT, 0.0
    try:  # without the names, nine hockey tables about "teams" fill the passages read
        alone = [p.source for p in search(reader, real_embedder, question, k=NAMED_WITHIN)]
    finally:
        retrieval.NAMED_WEIGHT = with_names
    assert "notes/teams_chat.txt" not in alone
    # a filter still holds: the named file's passage is looked for only where the filter admits
    hockey = restrict(reader, condition("source", "prefix", "hockey/"))
    found = search(hockey, real_embedder, question, k=NAMED_WITHIN)
    assert found and all(p.source.startswith("hockey/") for p in found)


def test_a_named_file_s_passage_is_raised_to_the_passages_the_reader_reads():
    from app.answer.retrieval import _within_reach

    ranked = [(n, 1.0 - n / 10) for n in range(1, 9)]
    raised = _within_reach(ranked, [8])
    assert [chunk_id for chunk_id, _ in raised].index(8) == NAMED_WITHIN - 1
    assert [score for _, score in raised] == sorted((s for _, s in raised), reverse=True)
    assert _within_reach(ranked, [2]) == ranked  # already read: left where it is
    two = [chunk_id for chunk_id, _ in _within_reach(ranked, [8, 7])]
    assert two[NAMED_WITHIN - 2 : NAMED_WITHIN] == [7, 8]  # in the order fusion gave them


def test_an_email_s_passages_hold_the_words_a_question_calls_it_by():
    """An e-mail's text never says "email": "the offsite email" would count as a question
    word missing from its passages, and lower the confidence of every answer from it."""
    from app.answer.answering import candidate_features
    from app.records import Passage, Span

    text = "Team offsite in Lisbon\n\nOur spring offsite will be in Lisbon in March."
    idf = {"offsite": 1.0, "email": 1.0}
    at = text.index("Lisbon in")
    span = Span(passage=0, start=at, end=at + 6, score=1.0, no_answer=0.0)
    held = {}
    for source in ("offsite.eml", "offsite.txt"):
        passage = Passage(id=0, source=source, page=1, start=0, end=len(text), text=text, score=1)
        held[source] = candidate_features(span, 0, passage, idf)["overlap"]
    assert held == {"offsite.eml": 1.0, "offsite.txt": 0.5}
    mail = Passage(
        id=0, source="Inbox/Re: plans.MSG", page=1, start=0, end=9, text="Our email", score=1
    )
    assert kind_words(mail) == "e-mail mail message", "a word its text holds counts once"
    assert kind_words(dataclasses.replace(mail, source="notes.txt")) == ""


# Two monthly Direct Debits: the energy notice never says what its debit pays for, and the
# reader is surer of its amount for a question that names the other document
MONTHLY_DEBITS = {
    "car_insurance_renewal.txt": (
        "Dear Ms Okafor,\n\nYour car insurance policy renews on 3 June 2025.\n\n"
        "Paying for your policy\n\n"
        "You currently pay by monthly Direct Debit. If you do nothing, we will collect 10 "
        "monthly instalments of £72.26, starting on 3 June 2025, from the account ending 0918.\n"
    ),
    "energy_price_change_notice.txt": (
        "All prices include VAT at 5%.\n\nWhat this means for you\n\nBased on your estimated "
        "usage, your monthly Direct Debit amount is currently £138. To keep your account on "
        "track, it will change to £146 from your payment on 15 April 2025.\n"
    ),
}


def test_an_answer_in_the_file_the_question_names_comes_first(settings, real_embedder, monkeypatch):
    from tests.conftest import assert_verbatim

    write_files(settings.corpus, MONTHLY_DEBITS)
    engine = indexed_engine(settings, real_embedder)
    question = "monthly direct debit amount for the car insurance"
    answer = engine.ask(question)
    assert "£72.26" in answer.answer  # "10 monthly instalments of £72.26" says it too
    assert answer.citations[0].source == "car_insurance_renewal.txt"
    assert_verbatim(answer, engine.reader())
    # the reader alone prefers the energy notice's amount; a question naming no file gets it
    assert engine.ask("monthly direct debit amount").answer == "£138"
    monkeypatch.setattr(calibration, "named_first", lambda found, named: found)
    assert engine.ask(question).answer == "£138"
