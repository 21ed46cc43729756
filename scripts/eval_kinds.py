"""Questions about documents of many kinds: a lease, an invoice, a recipe, a CV, a paper, a history
of a mill (PDF), a club newsletter, an FAQ page, a README; held out, an employment contract, an
insurance schedule, a hospital letter and a spec sheet; held out later, a loan agreement, a packing
list, an order confirmation and a school newsletter; then four sets of eight each (held out 3 to 6,
two named here), written by someone who had not seen docqa's rules: meeting minutes, a washing
machine's troubleshooting, a conference programme, a travel itinerary (e-mail), a medicine leaflet
(PDF), a leave policy (Word), release notes, a car service report; a gym's terms, a water bill, a
museum guide, a dentist's reminder (e-mail), a heat pump certificate (PDF), a school trip letter
(Word), a volunteer rota, a phone contract summary.

    .venv/bin/python scripts/eval_kinds.py [--sets NAME ...] [--workdir /tmp/docqa-eval-kinds]

`--sets` asks only the sets named, each by its name or, for a run of held-out sets, as
"held out 17-38"; the last line sums them.

The documents are the files of scripts/kinds/ (a .txt with form feeds is made a PDF of those pages:
the mill's history, the leaflet, the certificate), and scripts/kinds/questions.json names each set's
documents and its questions, each with the answer expected (None: the documents do not answer it).
Each set's documents are indexed together, by docqa's own ingest, in an index of their own. "design"
was written with its documents, asked by hand, and guided stop 37's rules
(app/answer/definitions.py, quantities.py, the label and shape rules); "held out" was written
afterwards, with its documents, and asked once before two more rules (a code with letters is no
phone number; a named cell must have the shape asked for) that its misses showed; "held out 2" was
written later still, with its documents, and asked once (545febf) before a list item became the
whole answer to a quantity ("3 litres of drinking water per person per day", not "3"), which one of
its misses showed. "held out 3" and "held out 4" were written by a helper that read neither docqa's
code nor these questions, and asked once each at 5a1ad0c and with stop 38's first rules
(BENCHMARKS.md gives both); the rules that came after were led by their misses. "held out 6" (a job
offer in Word, a cricket club's fixtures as a spreadsheet, a licence key e-mail, a product recall
web page, a course syllabus, an allotment tenancy, a council tax bill as a PDF, a nursery handbook
in Word), written the same way at stop 39, was asked first with that stop's starting code (ac59849)
and again with its first changes (compound words, label lines of several fields): 13 of 40 both
times; "held out 7" (a removal quote in Word, a vaccination record as a spreadsheet, a library
e-mail, a tariff notice page, a neighbourhood watch bulletin, a bike repair ticket, a completion
statement as a PDF, a flight e-ticket e-mail), written later still, got 9 with ac59849 and 10 with
the rules held out 6 led to; "held out 8" (a childminder contract, piano lessons as a spreadsheet, a
cottage booking e-mail, a rewards page, a fire plan, a gas safety record, a mortgage offer PDF, a
payslip), written after every rule of stop 39, got 11 with ac59849 and 12 with them. "held out 9"
(a boiler warranty and a jury summons in Word, a credit card statement PDF, swimming lessons as a
spreadsheet, a concert booking and a tennis club renewal e-mail, a broadband guide page, a care
home's visiting guidance), written at stop 40 before its changes, got 14 with stop 39's last code
(f07f18f) and 14 with stop 40's, the same answers; "held out 10" (a car insurance renewal in Word,
a flat's check-in inventory as a spreadsheet, an energy price notice PDF, a train booking e-mail, a
kettle recall page, induction slides, a house-move checklist, an allotment committee's minutes),
written at stop 41 before its changes, got 14 with stop 40's last code (86fa429); "held out 11"
(a wedding plan in Word, a household budget with meter readings as a spreadsheet, an MOT
certificate PDF, a dishwasher warranty claim e-mail, a school's term dates page, a fete's risk
assessment slides, a lodge park's rules in Markdown, a sponsorship form in OpenDocument), written
at stop 42 by a helper that saw none of its rules, got 17 with stop 41's last code (f770a04) and
17 with the stop's three answer rules; "held out 12" (a caravan storage agreement in Word, a
children's football fixtures spreadsheet, a pension statement PDF, a festival tickets e-mail, a
holiday cottage's welcome page, allotment induction slides, home-brew kit instructions in
Markdown, a parking permit letter in OpenDocument), written at stop 43 the same way, got 20 with
stop 42's last code (5c2ecdb) on a Zen 3, and 26 with stop 43's reader and the rules its misses
led to (ranges of days and times, a mark's noun, a length of time's noun, tables of keys,
temperatures and money); "held out 13" (a student halls licence in Word, a bin collection
calendar spreadsheet, a solar panel quote PDF, a kennel booking e-mail, a GP practice's newsletter
page, driving lesson slides, a pet insurance schedule in Markdown, a glasses prescription as plain
text), written at stop 44 the same way, got 26 with stop 43's last code (ba0b3d8), and 30 with
the rules its misses led to; "held out 14" (a bank switch letter in Word, a summer camp
timetable spreadsheet, a planning decision PDF, a smart meter appointment e-mail, a yoga
studio's passes page, festival volunteer slides, a lawn care plan in Markdown, a mooring licence
in OpenDocument), written while a reader trained to judge it, got 21 with ba0b3d8 and with
those rules, which it did not lead; "held out 15" (a window cleaner's quote in Word, a leisure
centre timetable spreadsheet, a tax refund letter PDF, a furniture delivery e-mail, a dog
groomer's prices page, photography workshop slides, a scout hike kit list in Markdown, a boat
hire confirmation in OpenDocument), written at stop 45 the same way, got 22 with stop 44's last
code (66d2cc6), and 26 with the rules its misses led to; "held out 16" (a vet's booster reminder
in Word, a choir's concert schedule spreadsheet, a car rental agreement PDF, a bulky waste
collection e-mail, a hair salon's prices page, e-bike quick start slides, a family's passport
renewal checklist in Markdown, a charity shop's donation guide as plain text), written after
them, got 22 with them (b9478ef). Stop 46 wrote three sets the same way, each asked once with
stop 45's last code (587817a) before anything it showed was changed: "held out 17" (an
orthodontist's letter in Word, a running club's race calendar spreadsheet, a boiler service
report PDF, a party booking e-mail, a museum's visitor page, first aid course slides, notes for
a house-sitter in Markdown, a garden waste renewal letter in OpenDocument) got 21, and 24 with
the rules its misses led to; "held out 18" (a home care agreement, a car's running costs, a
removals inventory PDF, a GP's vaccine clinic e-mail, a climbing centre's page, a charity
shop's volunteer slides, a wedding's guest information, a rent increase letter) got 23 with
either, and 24 with the rules its misses then led to; "held out 19" (a school trip letter, meter
readings, a kitchen quotation PDF, a hotel booking e-mail, a recycling centre's page, IT
induction slides, a street party plan, a smart meter letter), written last, got 20 with either
code. Stop 47 wrote two more the same way, asked once with stop 46's last code (af4ab0e): "held
out 20" (a piano tuner's invoice in Word, a village hall's bookings spreadsheet, a mobile phone
bill PDF, a pharmacy's prescription e-mail, a council's skip permit page, sports day slides, a
model railway club's constitution in Markdown, a theatre programme in OpenDocument) got 20, and
"held out 21" (a laptop repair quote, a half marathon training plan, a community centre hire
agreement PDF, a cycle to work scheme e-mail, a beekeepers' notices page, a support team's
quarterly review slides, a chess club handbook, a deposit return letter) got 27; later that stop,
"held out 22" (a damp survey in Word, a Christmas presents spreadsheet, a chimney sweep
certificate PDF, a maths tutor's e-mail, an island ferry's page, office move slides, a
role-playing group's notes in Markdown, a septic tank service record in OpenDocument) and "held
out 23" (a tree surgeon's quote, a cleaning business's clients spreadsheet, a hearing aid trial
PDF, a ferry's sailing change e-mail, a farmers market's vendor page, a homeowners'
association's meeting slides, a campervan trip plan, a bowls club handbook) got 20 each; last,
"held out 24" (a funeral estimate, a book club's spreadsheet, a pest control report PDF, an
e-mail between neighbours about a fence, a repair café's page, flood readiness slides, a family
reunion plan, a knee exercise programme) and "held out 25" (a hedgehog foster agreement, a
backyard hens' records, a water test report PDF, a quiz league's e-mail, an apple pressing day
page, speed watch training slides, a repair café volunteer handbook, a headstone quotation) got
26 each. Stop 48 wrote three more, asked once with stop 47's last code (4f4d863) before a
reader was chosen: "held out 26" (an asbestos survey in Word, a health cash plan's claims
spreadsheet, a road closure notice PDF, a stairlift order e-mail, a cataract operation's patient
page, service charge budget slides, diabetes review notes, a disabled facilities grant letter) got
20, "held out 27" (a caterer's proposal, a VAT return's workings, a coffee roaster's trade price
list PDF, a label printer's proof e-mail, an accountants' staff page, a product launch plan's
slides, a web designer's client file, a hardware shop's cash-up procedure) 19, and "held out 28"
(a stargazing weekend's pack, a cycle tour's shared costs, a woodturning course booklet PDF, a
town twinning visit e-mail, a classic vehicle show's exhibitor page, a hillwalking club's AGM
slides, an alpine trek plan, an embroidery exhibition's guidelines) 27; then "held out 29" (a
loft conversion's schedule of works, a children's savings tracker, a bond maturity letter PDF, a
veg box's delivery change e-mail, a school place offer page, slides on paying for university, a
bathroom refit's notes, a car finance settlement quote) got 23, and "held out 30" (a letting
agent's letter, an angling club's results, a podiatry appointment letter PDF, a family weekend's
plan by e-mail, a shoe repairer's page, expenses briefing slides, an orienteering event's final
details, a pupil's healthcare plan) 28; last, before a reader trained on "train 1" to "train
6" below existed, "held out 31" (a family history research log, a seed stock spreadsheet, a
grant offer letter PDF, a hockey coaching course's joining e-mail, an energy certificate page,
neighbourhood plan slides, knitting notes, small claims notes) got 22 and "held out 32" (a coin
auction's consignment agreement, a volunteering trip's budget, a CCTV handover certificate PDF,
a radio licence exam e-mail, a string instrument hire page, a reef tank talk's slides, a meat
curing log, bell ringers' notes) 23; then (stop 49), before that reader's training had logged
a step, "held out 33" (a florist's alarm maintenance agreement, supplier order log, cold room
insurance claim PDF, hotel flowers contract e-mail, pavement licence decision page, Mother's Day
briefing slides, month-end notes, order-relay network agreement) got 24 and "held out 34" (a
retired couple's lock-keeper volunteer pack, dividends log, rail tour documents PDF, cardiac
rehab e-mail, bell ringers' outing page, grandchildren's half-term slides, rethatching notes,
family history notes) 21; and, before the average of that reader and the shipped one was judged
again, "held out 35" (a sports club secretary's files: a welfare report, subscriptions, the
county FA's affiliation letter PDF, a kit sponsorship e-mail, a visiting teams page, pitch
drainage slides, handover notes, an accident report) got 23, "held out 36" (a freelance
translator and illustrator's picture book contract, tax workbook, society renewal PDF, an
agency's job e-mail, a client's style guide page, a trail map pitch, certified translation
notes, a statement of account) 19, "held out 37" (an elderly parent's care: an attendance
allowance statement, a care agency's visit log, an occupational therapist's report PDF, a
financial assessment e-mail, a personal alarm order page, family meeting slides, power of
attorney notes, a patient transport booking) 17 and "held out 38" (a year abroad: a learning
agreement, a flatshare kitty, a bank's welcome letter PDF, a bookshop café's shifts e-mail, a
health insurance page, welcome week slides, a travel log, visa notes) 25. "held out 39" (a
landlord of two flats), "held out 40" (a baby's first year), "held out 41" (an amateur
orchestra's treasurer) and "held out 42" (a street-food stall), written at stop 50 before its
answer shapes (a question asked when or who), got 22, 30, 23 and 22 with 4923a8c; "held out
43" (a club cyclist), "held out 44" (a village fete and a quiz night), "held out 45" (a pony at
livery) and "held out 46" (a lecturer's year), written later that stop, got 25, 27, 27 and 20
with those shapes (9873ee5), before any other change. "held out 47" (a narrowboat's continuous
cruiser), "held out 48" (a hospice charity shop's volunteer manager), "held out 49" (a house
extension) and "held out 50" (a mobile hairdresser), written at stop 51 after its first shapes
(money asked as owed, dues or a budget), got 24, 21, 22 and 24 with them (26283cd), on a CPU with
AMX, before its second (a reference is no phone number, a length of time no sum); "held out 51" (a
learner driver's parent), "held out 52" (a smallholder's sheep, goats and bees), "held out 53" (a
knee replacement and an uncle's estate) and "held out 54" (a school fair and a residential trip),
written after that second change, got 22, 21, 24 and 28 with it (e5199fb), before any other, and
the same with stop 52's first (a date alone says neither who nor which number); "held out 55" (a
wedding photographer), "held out 56" (a holiday cottage on a Scottish island), "held out 57" (a
community choir's treasurer) and "held out 58" (a family relocating), written at stop 52 after
that change, got 19, 27, 24 and 31 with it (72ba815), before any other; "held out 59" (a dog
groomer), "held out 60" (a retired couple's river cruise and roof), "held out 61" (a languages
teacher's school trip to Spain) and "held out 62" (a hobby beekeeper), written at stop 53, got
27, 25, 25 and 26 with stop 52's answers (3265b6a), before any change; "held out 63" (a nurse
buying her first flat), "held out 64" (a village fete and its fun run), "held out 65" (a
furniture restorer) and "held out 66" (a grandparent), written at stop 53 after its answer
rules, got 25, 27, 19 and 30 both with 3265b6a and with those rules; "held out 67" (a parent of
a GCSE student who plays five-a-side), "held out 68" (a small landlord), "held out 69" (a PhD
student going to a conference) and "held out 70" (a café and bakery), written at stop 53 before
its second round of rules, got 27, 15, 25 and 30 with its first (0fad762) and the same with the
second. Sets held out 17 and after
train no reader (scripts/kinds_reads.py). "handbook": questions written from
14 paragraphs drawn at random (seed 37) from the 872-page trustee handbook of
../shared/eval/office-docs (skipped without ../shared). "train 1" to "train 6" (stop 48): six more
sets written the same way, on homes, work, health, schooling, travel and money, to train readers on
(in kinds_reads.TRAINING_SETS since stop 49), never to judge one. Right: the answer holds the
expected text and at most 40 characters more (official SQuAD normalisation, `eval_tables.right`)."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata
from eval_tables import ask_sets

from app.engine import Engine
from app.ingest.pipeline import ingest
from app.settings import Settings

KINDS = Path(__file__).resolve().parent / "kinds"
SHARED = "shared:"  # a document of ../shared/eval, not of KINDS
HELD_OUT_RUN = re.compile(r"held out (\d+)-(\d+)")


def chosen_sets(sets: dict[str, dict], names: list[str]) -> dict[str, dict]:
    """The sets of `sets` that `names` asks for (all when it is empty), in their order: each a
    set's name or a run "held out A-B". ValueError, naming the sets there are, for another."""
    if not names:
        return sets
    wanted = set()
    for name in names:
        if run := HELD_OUT_RUN.fullmatch(name):
            wanted |= {f"held out {n}" for n in range(int(run[1]), int(run[2]) + 1)}
        else:
            wanted.add(name)
    unknown = sorted(wanted - set(sets))
    if unknown:
        raise ValueError(f"no set {', '.join(unknown)}; the sets are: {', '.join(sets)}")
    return {name: questions for name, questions in sets.items() if name in wanted}


def write_documents(folder: Path, names: list[str]) -> bool:
    """The documents `names` in `folder` (a .txt with form feeds as a PDF of those pages);
    False when one of ../shared/eval is wanted and missing."""
    from fpdf import FPDF

    folder.mkdir(parents=True)
    for name in names:
        if name.startswith(SHARED):
            if not evaldata.SHARED_EVAL.is_dir():
                return False
            shutil.copy(evaldata.SHARED_EVAL / name.removeprefix(SHARED), folder)
            continue
        path = KINDS / name
        if path.suffix != ".txt" or "\f" not in path.read_text():
            shutil.copy(path, folder)
            continue
        pdf = FPDF()
        pdf.set_font("Helvetica", size=11)
        for page in path.read_text().split("\f"):
            pdf.add_page()
            pdf.multi_cell(0, 6, page)
        pdf.output(str(folder / path.with_suffix(".pdf").name))
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets",
        nargs="+",
        default=[],
        metavar="NAME",
        help='sets to ask (default: all), each by its name or as "held out A-B"',
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/docqa-eval-kinds"))
    args = parser.parse_args()
    try:
        sets = chosen_sets(json.loads((KINDS / "questions.json").read_text()), args.sets)
    except ValueError as error:
        parser.error(str(error))
    shutil.rmtree(args.workdir, ignore_errors=True)
    asked = []
    for number, (name, wanted) in enumerate(sets.items()):
        folder = args.workdir / f"documents-{number}"
        if write_documents(folder, wanted["documents"]):
            settings = Settings.from_env(corpus=folder, index=args.workdir / f"index-{number}")
            ingest(settings)
            asked.append((name, Engine(settings), [tuple(q) for q in wanted["questions"]]))
    ask_sets(asked)


if __name__ == "__main__":
    main()
