"""A PDF form's filled-in fields are read after its page's text, as label lines."""

from pathlib import Path

from app.engine import Engine
from app.ingest.extract import extract
from app.ingest.pipeline import ingest
from tests.conftest import assert_verbatim, make_pdf


def make_filled_form(path: Path) -> None:
    """A claim form as a person saves it from a PDF reader: printed labels on the page, what
    they typed in its fields (a text field, a field with a description for users, a ticked box,
    an unticked one, a radio group, an empty field)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        TextStringObject,
    )

    make_pdf(path, ["Home insurance claim form\n\nPolicy number:\nDate of loss:\nRepair by:"])
    writer = PdfWriter(clone_from=PdfReader(path))
    page = writer.pages[0]

    def widget(top: float, **entries) -> DictionaryObject:
        box = ArrayObject([FloatObject(v) for v in (100, top, 250, top + 12)])
        field = DictionaryObject({NameObject("/Type"): NameObject("/Annot"),
                                  NameObject("/Subtype"): NameObject("/Widget"),
                                  NameObject("/Rect"): box})  # fmt: skip
        for key, value in entries.items():
            name = value.startswith("/")
            field[NameObject(f"/{key}")] = NameObject(value) if name else TextStringObject(value)
        return field

    radio = DictionaryObject({NameObject("/FT"): NameObject("/Btn"),
                              NameObject("/T"): TextStringObject("Cause_of_loss"),
                              NameObject("/V"): NameObject("/Escape of water")})  # fmt: skip
    radio_ref = writer._add_object(radio)
    kids = [widget(600 - 14 * n, AS=state) for n, state in enumerate(("/Off", "/Escape of water"))]
    for kid in kids:
        kid[NameObject("/Parent")] = radio_ref
    fields = [
        widget(700, FT="/Tx", T="policy_no_1", V="HX-4471-2290"),
        widget(686, FT="/Tx", T="Text3", TU="Date of loss", V="14 March 2025"),
        widget(672, FT="/Btn", T="Emergency_repair", V="/Yes", AS="/Yes"),
        widget(658, FT="/Btn", T="Contents_claim", V="/Off", AS="/Off"),
        widget(644, FT="/Tx", T="Repair by", V=""),
        *kids,
    ]
    refs = [writer._add_object(field) for field in fields]
    page[NameObject("/Annots")] = ArrayObject(refs)
    radio[NameObject("/Kids")] = ArrayObject(refs[-2:])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([*refs[:-2], radio_ref])}
    )
    with open(path, "wb") as out:
        writer.write(out)


def test_a_forms_filled_in_fields_follow_its_pages_text(tmp_path):
    make_filled_form(tmp_path / "claim.pdf")
    text = extract(tmp_path / "claim.pdf")[0].text
    assert text.startswith("Home insurance claim form")
    assert text.endswith(
        "Policy no: HX-4471-2290\nDate of loss: 14 March 2025\nEmergency repair: Yes\n"
        "Cause of loss: Escape of water"
    )
    assert "Contents claim" not in text and "Repair by:" not in text.split("Policy no")[1]


def test_a_question_about_a_filled_in_form_gets_what_was_typed(settings, real_embedder):
    make_filled_form(settings.corpus / "claim.pdf")
    ingest(settings, embedder=real_embedder)
    engine = Engine(settings)
    answer = engine.ask("What is the policy number on the claim?")
    assert answer.answer == "HX-4471-2290"
    assert_verbatim(answer, engine.reader())
