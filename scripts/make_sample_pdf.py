"""Generate the sample PDF that ships in corpus/.

docqa needs a multi-page PDF in its sample corpus so that PDF ingestion, page
numbers in citations and the demo questions can be tried without any private
documents. The text is original fiction written for docqa. Re-running this
script writes byte-identical output (fixed creation date, no random IDs), so
the file does not show up as changed in git or trigger a re-ingest.

Dev-only dependency: fpdf2 (``.venv/bin/pip install fpdf2``).
Usage: ``.venv/bin/python scripts/make_sample_pdf.py``
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

TITLE = "Saltmere Point Lighthouse: A Short History"
OUTPUT = Path(__file__).resolve().parent.parent / "corpus" / "saltmere-lighthouse-history.pdf"
CREATED = datetime(2026, 10, 1, 9, 0, 0, tzinfo=UTC)

# One entry per page: (heading, paragraphs). Core fonts only, so latin-1 text.
PAGES: list[tuple[str, list[str]]] = [
    (
        "1. Why Saltmere needed a light",
        [
            "Saltmere is a small fishing town on the north side of Carrow Bay. This "
            "short history of its lighthouse was written for the Saltmere Harbour "
            "Trust; the town, the people and the events in it are fictional.",
            "For most of the nineteenth century, boats entering Carrow Bay at night "
            "had only a lantern on the harbour wall to steer by. The Gannet Rocks, a "
            "reef that lies about 1.5 kilometres south-west of the headland, are "
            "covered at high tide and were the cause of many losses.",
            "In the winter of 1866 the brig Calder struck the Gannet Rocks in a "
            "south-westerly gale and all nine of her crew were drowned. After that "
            "loss the harbour commissioners sent a petition with 412 signatures to "
            "the Board of Lights, asking for a proper lighthouse on Saltmere Point.",
            "The design was drawn up by the civil engineer Samuel Pellow of Truro. "
            "The foundation stone was laid on 12 May 1871, and the tower was built "
            "from grey granite cut at the Carnwood quarry, eight kilometres inland.",
            "The finished tower is 31 metres tall from its base to the top of the "
            "lantern roof. Inside, a spiral staircase of 146 cast-iron steps leads "
            "from the entrance door to the lantern gallery. The walls are 2.4 metres "
            "thick at the base and narrow to 0.9 metres below the lantern.",
            "The whole project, including the tower, the lantern and a road to the "
            "headland, cost 8,400 pounds. The light was shown for the first time at "
            "sunset on 1 October 1874.",
        ],
    ),
    (
        "2. The keepers",
        [
            "Saltmere Point was a manned station for 113 years. Three keepers lived "
            "there at any time: a principal keeper and two assistants, who shared "
            "the night in four-hour watches.",
            "The first principal keeper was Thomas Ardley, who took up the post in "
            "October 1874. Before that he had been a boatswain in the navy, and he "
            "came from the village of Porthcarrow. He kept the light for 27 years "
            "and retired in 1901, when he was 63.",
            "The keepers and their families lived in two stone cottages built beside "
            "the tower in 1875. Each cottage had four rooms, a walled vegetable "
            "garden and a rainwater tank; fresh water had to be carried up from the "
            "town until a pipe was laid in 1921.",
            "The longest-serving keeper in the station's history was Walter Jenkin, "
            "who arrived as an assistant in 1919 and stayed for 34 years, the last "
            "twelve of them as principal keeper. He left in 1953, the year the light "
            "was converted to electricity.",
            "Every keeper wrote in the station log at the end of each watch, noting "
            "the weather, the state of the sea, the ships that passed and any faults "
            "with the lamp. The logs from 1874 to 1987 fill 41 bound volumes, which "
            "are now kept in the local history room of Saltmere Library.",
            "Supplies came by cart from the town twice a week. In bad winters, when "
            "the headland road was blocked by snow or fallen rock, the keepers "
            "relied on a store of tinned food that was meant to last six weeks.",
        ],
    ),
    (
        "3. The lamp and the lens",
        [
            "The light itself sits inside a large glass lens that bends the rays "
            "from a small lamp into a single bright beam. The Saltmere lens was made "
            "by Hollis and Marr of Birmingham, weighs 2.3 tonnes and stands on a bed "
            "of mercury so that it can be turned with very little effort.",
            "A clockwork mechanism turned the lens, and it had to be wound by hand "
            "every 45 minutes through the night. The turning lens gives the light "
            "its signature: one white flash every 10 seconds, which sailors use to "
            "tell Saltmere Point apart from the neighbouring lights on the coast.",
            "At first the lamp burned colza oil in a four-wick burner. In 1912 it was "
            "replaced by a paraffin vapour burner, which gave a brighter and whiter "
            "flame. Mains electricity reached the headland in 1953, and a "
            "1,000-watt electric lamp took the place of the paraffin burner.",
            "In clear weather the beam can be seen from 19 nautical miles away.",
            "Fog was a greater danger than darkness. A compressed-air foghorn was "
            "installed in a small engine house below the tower in 1906. In fog it "
            "sounded two blasts every 60 seconds, and keepers on duty had to start "
            "the engine whenever they could no longer see the Gannet Rocks buoy. The "
            "foghorn was switched off for good in 2001.",
        ],
    ),
    (
        "4. The wreck of the Mary Tolland",
        [
            "The best-known night in the lighthouse's history is 14 February 1899. "
            "A storm had been building all afternoon, and shortly after 11 p.m. the "
            "schooner Mary Tolland, carrying roofing slate from Wales, was driven "
            "onto the Gannet Rocks.",
            "The alarm was raised by Ellen Ardley, the principal keeper's "
            "nineteen-year-old daughter, who was on the gallery helping with the "
            "watch and saw the schooner's distress flares. She and the assistant "
            "keeper John Trevail launched the station's rowing boat from the cove "
            "below the tower.",
            "In three trips across the reef, lasting almost four hours, they brought "
            "all eleven of the schooner's crew safely ashore. The Mary Tolland broke "
            "up before morning and her cargo was lost.",
            "In June 1899 Ellen Ardley and John Trevail were each awarded a silver "
            "medal by the Coastal Lifesaving Society. Ellen's medal is now on "
            "display in the lighthouse museum.",
            "The rescue also showed how exposed the coast still was. A lifeboat "
            "station was opened beside Saltmere harbour in 1902, paid for by a "
            "public appeal that raised 1,150 pounds in eight months.",
        ],
    ),
    (
        "5. Automation and the lighthouse today",
        [
            "By the 1980s, lighthouses could be run by automatic equipment and "
            "watched over by radio. Saltmere Point was automated in 1987, and the "
            "last resident keepers left on 30 June 1987. The last principal keeper "
            "was Robert Penhale, who had served at the station since 1971.",
            "Since then the light has been monitored remotely from the control "
            "centre at Kestle Head. In 2015 the electric lamp was replaced by an "
            "LED lantern, which cut the power used by the light from 1,000 watts to "
            "90 watts while keeping the same range and the same 10-second flash.",
            "The Saltmere Harbour Trust bought the two keepers' cottages in 1992 and "
            "opened them as a museum in 1994. The museum is open from 1 April to "
            "31 October, Wednesday to Sunday, from 10:00 to 16:00. An adult ticket "
            "costs 6 pounds, and children under 12 go in free.",
            "In 2025 the museum welcomed 8,240 visitors, its highest number so far. "
            "Guided climbs of the tower run twice a day in summer, with no more than "
            "eight people on the stairs at once.",
            "The lantern and gallery were restored in 2019 at a cost of 215,000 "
            "pounds. Half of the money came from a heritage grant and the rest from "
            "local donations and fundraising events.",
        ],
    ),
]


class HistoryPDF(FPDF):
    """A4 document with a running header (from page 2) and a page-number footer."""

    def header(self) -> None:
        if self.page_no() == 1:  # the first page shows the title in large type
            return
        self.set_font("Helvetica", "I", 9)
        self.cell(0, 8, TITLE, align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "", 9)
        self.cell(0, 8, f"Page {self.page_no()} of {{nb}}", align="C")


def build() -> bytes:
    """Lay out all pages and return the PDF bytes."""
    pdf = HistoryPDF(format="A4")
    pdf.set_creation_date(CREATED)
    pdf.set_title(TITLE)
    pdf.set_author("Saltmere Harbour Trust (fictional)")
    pdf.set_creator("docqa scripts/make_sample_pdf.py")
    pdf.set_margins(22, 18, 22)
    pdf.set_auto_page_break(auto=True, margin=20)
    for heading, paragraphs in PAGES:
        pdf.add_page()
        if pdf.page_no() == 1:
            pdf.set_font("Helvetica", "B", 18)
            pdf.multi_cell(0, 9, TITLE, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("Helvetica", "", 11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def main() -> None:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_bytes(build())
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
