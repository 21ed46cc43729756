"""Questions about everyday documents: minutes, a product manual, a policy, IT and HR guides.

    .venv/bin/python scripts/eval_everyday.py [--workdir /tmp/docqa-eval-everyday]

Three documents the script writes (the minutes of a committee as Word, with a table of actions;
a water filter's user guide as Markdown, with headings and numbered steps; a company's travel
policy as Word), indexed together by docqa's own ingest. DESIGN (on the minutes and the guide)
was asked by hand before the rules of app/answer/shapes.py for headings and for questions that
ask what to do, and guided them; HELD_OUT (on the travel policy) was written after those rules
and asked once. The sets mix every kind of question: facts, numbers, dates, people, yes or no,
what to do, and some the documents do not answer. Right: the answer holds the expected text and
at most 40 characters more (official SQuAD normalisation, `eval_tables.right`); None expected:
right when docqa says there is no answer.
HOW_TO_*: questions that ask how to do something, over the guide and two more Word documents
of numbered and bulleted steps (an IT guide, for design; an onboarding guide, held out), whose
answer is the list of steps (app/answer/steps.py): the design set was asked while that rule was
written, the held-out set written before it was run and asked once.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_tables import ask_of_a_folder

MINUTES = [
    ("heading", "Minutes of the Facilities Committee, 14 March 2024"),
    ("text", "Present: Anna Fischer (chair), Raj Patel, Linda Okoye, Tomás García. Apologies: "
             "Peter Hall."),
    ("subheading", "1. Office move"),
    ("text", "The committee approved the move to the Riverside building. The lease starts on 1 "
             "July 2024 and runs for five years. Raj Patel will coordinate the move with the "
             "removal company."),
    ("subheading", "2. Budget"),
    ("text", "The refurbishment budget was set at 180,000 euros. Linda Okoye asked for a "
             "contingency of 10 percent, which was agreed."),
    ("subheading", "3. Parking"),
    ("text", "The proposal to add twenty bicycle spaces was rejected because the landlord does "
             "not allow changes to the car park. It will be discussed again in September."),
    ("subheading", "Action items"),
    ("table", [("Action", "Owner", "Due"), ("Sign the lease", "Anna Fischer", "30 April 2024"),
               ("Book the removal company", "Raj Patel", "15 May 2024"),
               ("Draft the seating plan", "Tomás García", "1 June 2024")]),
    ("text", "The next meeting will be held on 11 April 2024 at 14:00 in room 2.03."),
]  # fmt: skip
GUIDE = """# AquaPure 300 water filter: user guide

## Installation

Turn off the cold water supply before you begin. Mount the filter head under the sink with the \
two screws supplied, at least 5 cm above the floor of the cabinet. Connect the inlet hose to the \
cold water valve and the outlet hose to the faucet adapter. Do not connect the filter to the hot \
water line: water above 38 °C damages the cartridge.

## Replacing the cartridge

Replace the cartridge every 6 months or after 1,500 litres, whichever comes first. The indicator \
light turns red when a replacement is due. Replacement cartridges (part number AP-300C) cost 39 \
euros and are sold in packs of two.

1. Close the inlet valve.
2. Twist the old cartridge a quarter turn to the left and pull it down.
3. Push the new cartridge up and twist it a quarter turn to the right.
4. Open the valve and run the water for 5 minutes to flush the filter.

## Troubleshooting

If the flow is slow, check that the inlet valve is fully open and that the cartridge is not older \
than 6 months. If the filter leaks at the head, the O-ring may be dry: apply food-grade silicone \
grease. For any other fault call our service line on 0800 123 4567, Monday to Friday, 9:00 to \
17:00.

## Warranty

The filter head is guaranteed for 3 years from the date of purchase. Cartridges are not covered \
by the warranty. The warranty is void if the filter is connected to the hot water line.
"""
POLICY = [
    ("heading", "Travel and expenses policy"),
    ("text", "This policy applies to all employees of Northwind Traders from 1 January 2025. "
             "It replaces the policy of March 2021."),
    ("subheading", "Booking travel"),
    ("text", "All flights and hotels must be booked through the travel desk at least 14 days "
             "before departure. Economy class is required for flights under six hours; "
             "premium economy is allowed for longer flights. Rail is preferred for journeys "
             "under four hours."),
    ("subheading", "Hotels and meals"),
    ("text", "Hotel costs are reimbursed up to 160 euros a night in capital cities and 120 "
             "euros elsewhere. The daily meal allowance is 45 euros. Alcohol is not "
             "reimbursed."),
    ("subheading", "Claiming expenses"),
    ("text", "Submit your claim in the expenses portal within 30 days of your return, with a "
             "receipt for every item over 25 euros. If you lose a receipt, fill in a missing "
             "receipt form and ask your manager to sign it. Claims are paid with the next "
             "monthly salary."),
    ("subheading", "Contacts"),
    ("text", "Questions about this policy go to the finance team, finance@northwind.example. "
             "The travel desk is open from 8:00 to 18:00 on working days."),
]  # fmt: skip
IT_GUIDE = [
    ("heading", "Resetting your password"),
    ("text", "To reset your password:"),
    ("numbered", "Open the sign-in page and choose Forgot password."),
    ("numbered", "Enter your work e-mail address."),
    ("numbered", "Follow the link in the e-mail within 30 minutes."),
    ("numbered", "Choose a new password of at least 12 characters."),
    ("heading", "Requesting a new laptop"),
    ("text", "Laptops are replaced every four years. To request one early:"),
    ("bullet", "Ask your manager to approve the request."),
    ("bullet", "Fill in the equipment form on the intranet."),
    ("bullet", "Collect the laptop from the IT desk on the second floor."),
    ("text", "The IT desk is open from 9:00 to 17:00."),
]
ONBOARDING = [
    ("heading", "Your first week at Northwind"),
    ("text", "Before your first day:"),
    ("bullet", "Sign the contract in the HR portal."),
    ("bullet", "Send a copy of your passport to hr@northwind.example."),
    ("bullet", "Choose your laptop model."),
    ("heading", "Setting up your laptop"),
    ("text", "When you receive your laptop, follow these steps:"),
    ("numbered", "Sign in with the temporary password from your welcome e-mail."),
    ("numbered", "Install the security updates."),
    ("numbered", "Enrol your phone for two-factor sign-in."),
    ("heading", "Booking holidays"),
    ("text", "You have 25 days of holiday a year. To book a holiday:"),
    ("bullet", "Check the team calendar."),
    ("bullet", "Submit the request in the HR portal at least two weeks ahead."),
    ("bullet", "Wait for your manager's approval before booking travel."),
]
DESIGN = [
    ("Who chaired the facilities committee?", "Anna Fischer"),
    ("Was the move to the Riverside building approved?",
     "The committee approved the move to the Riverside building."),
    ("When does the lease start?", "1 July 2024"),
    ("How long does the lease run?", "five years"),
    ("What is the refurbishment budget?", "180,000 euros"),
    ("Why was the bicycle proposal rejected?",
     "the landlord does not allow changes to the car park"),
    ("Who will coordinate the move?", "Raj Patel"),
    ("When is the seating plan due?", "1 June 2024"),
    ("When is the next meeting?", "11 April 2024 at 14:00"),
    ("How often should I replace the cartridge?", "every 6 months or after 1,500 litres"),
    ("How much does a replacement cartridge cost?", "39 euros"),
    ("What is the part number of the cartridge?", "AP-300C"),
    ("Can I connect the filter to the hot water line?",
     "Do not connect the filter to the hot water line: water above 38 °C damages the cartridge."),
    ("What should I do if the flow is slow?", "If the flow is slow, check that the inlet valve is "
     "fully open and that the cartridge is not older than 6 months."),
    ("What should I do if the filter leaks?", "If the filter leaks at the head, the O-ring may be "
     "dry: apply food-grade silicone grease."),
    ("What is the phone number of the service line?", "0800 123 4567"),
    ("How long is the warranty?", "3 years"),
    ("Are cartridges covered by the warranty?", "Cartridges are not covered by the warranty."),
    ("What is the email address of customer support?", None),
    ("What will be discussed in September?", None),  # "It" (the bicycle proposal): no span says
]  # fmt: skip
HELD_OUT = [
    ("When does the travel policy apply from?", "1 January 2025"),
    ("How far ahead must flights be booked?", "at least 14 days before departure"),
    ("Is business class allowed?", None),
    ("Is premium economy allowed for long flights?", "Economy class is required for flights "
     "under six hours; premium economy is allowed for longer flights."),
    ("What is the hotel limit in capital cities?", "160 euros a night"),
    ("How much is the daily meal allowance?", "45 euros"),
    ("Is alcohol reimbursed?", "Alcohol is not reimbursed."),
    ("What should I do if I lose a receipt?", "If you lose a receipt, fill in a missing receipt "
     "form and ask your manager to sign it."),
    ("When are claims paid?", "with the next monthly salary"),
    ("What is the email address of the finance team?", "finance@northwind.example"),
    ("When is the travel desk open?", "from 8:00 to 18:00 on working days"),
    ("What is the phone number of the travel desk?", None),
]  # fmt: skip

HOW_TO_DESIGN = [
    ("How do I replace the cartridge?", "1. Close the inlet valve. 2. Twist the old cartridge a "
     "quarter turn to the left and pull it down. 3. Push the new cartridge up and twist it a "
     "quarter turn to the right. 4. Open the valve and run the water for 5 minutes to flush the "
     "filter."),
    ("What are the steps to replace the cartridge?", "1. Close the inlet valve. 2. Twist the old "
     "cartridge a quarter turn to the left and pull it down. 3. Push the new cartridge up and "
     "twist it a quarter turn to the right. 4. Open the valve and run the water for 5 minutes to "
     "flush the filter."),
    ("How do I reset my password?", "Open the sign-in page and choose Forgot password. Enter your "
     "work e-mail address. Follow the link in the e-mail within 30 minutes. Choose a new "
     "password of at least 12 characters."),
    ("How can I request a new laptop?", "Ask your manager to approve the request. Fill in the "
     "equipment form on the intranet. Collect the laptop from the IT desk on the second floor."),
    ("How often are laptops replaced?", "every four years"),
]  # fmt: skip
HOW_TO_HELD_OUT = [
    ("How do I set up my laptop?", "Sign in with the temporary password from your welcome "
     "e-mail. Install the security updates. Enrol your phone for two-factor sign-in."),
    ("How can I book a holiday?", "Check the team calendar. Submit the request in the HR portal "
     "at least two weeks ahead. Wait for your manager's approval before booking travel."),
    ("What should I do before my first day?", "Sign the contract in the HR portal. Send a copy "
     "of your passport to hr@northwind.example. Choose your laptop model."),
    ("How many days of holiday do I get?", "25 days"),
]  # fmt: skip


def write_documents(folder: Path) -> None:
    import docx

    documents = (("minutes.docx", MINUTES), ("travel-policy.docx", POLICY),
                 ("it-guide.docx", IT_GUIDE), ("onboarding.docx", ONBOARDING))  # fmt: skip
    for name, parts in documents:
        document = docx.Document()
        for kind, part in parts:
            if kind == "table":
                table = document.add_table(rows=len(part), cols=len(part[0]))
                for row, cells in zip(table.rows, part, strict=True):
                    for cell, text in zip(row.cells, cells, strict=True):
                        cell.text = text
            elif kind == "text":
                document.add_paragraph(part)
            elif kind in ("numbered", "bullet"):
                document.add_paragraph(
                    part, style=f"List {'Number' if kind == 'numbered' else 'Bullet'}"
                )
            else:
                document.add_heading(part, 1 if kind == "heading" else 2)
        document.save(folder / name)
    (folder / "aquapure-guide.md").write_text(GUIDE, encoding="utf-8")


def main() -> None:
    sets = [("design", DESIGN), ("held out", HELD_OUT), ("how to, design", HOW_TO_DESIGN),
            ("how to, held out", HOW_TO_HELD_OUT)]  # fmt: skip
    ask_of_a_folder(
        __doc__.splitlines()[0], Path("/tmp/docqa-eval-everyday"), write_documents, sets
    )


if __name__ == "__main__":
    main()
