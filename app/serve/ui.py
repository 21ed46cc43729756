"""The chat window: Gradio Blocks that render the Engine's answers and add documents.

All document text is HTML-escaped before it is shown; the only markup is ours (the highlight of
the answer and the citation links), so a document cannot inject anything into the page.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import gradio as gr

from app.engine import Engine
from app.ingest.extract import SUPPORTED_SUFFIXES
from app.records import Answer, Citation, Passage
from app.serve import library
from app.serve.pages import view_link
from app.store.collections import UnknownCollectionError
from app.store.manifest import StoreError

DEMO_QUESTIONS = Path(__file__).with_name("demo_questions.json")
BUNDLED_CORPUS = Path(__file__).resolve().parents[1] / "corpus"
MAX_UPLOAD_FILES = 20
MAX_UPLOAD_MB = 50
_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+")
# A line break that ends a table row before the next ("... |\n| ...") or a list item ("\n- ")
_ROW_OR_ITEM_BREAK = re.compile(r"(?<=\|)\n(?=\|)|\n(?=- |[*•] |\d{1,2}[.)] )")  # "2. Twist it"

CSS = Path(__file__).with_name("ui.css").read_text()
# the cited-page viewer, which opens a citation's page over the chat
HEAD = "<script>" + Path(__file__).with_name("page_view.js").read_text() + "</script>"


def build_ui(engine: Engine) -> gr.Blocks:
    with gr.Blocks(title="docqa") as ui:
        gr.Markdown(
            "# docqa\nAsk your documents a question; get the sentence that answers it, with "
            "sources you can check.",
            elem_id="docqa-title",
        )
        status = gr.Markdown(_status_line(engine), elem_id="docqa-status")
        collection = gr.Dropdown(
            choices=_collection_names(engine),
            value=engine.default_collection,
            label="Collection",
            allow_custom_value=False,
            elem_id="docqa-collection",
        )
        chat = gr.Chatbot(
            show_label=False,
            height="60vh",
            min_height=320,
            layout="panel",
            placeholder="Ask something about your documents.",
            latex_delimiters=[],  # "$$" in a document is text, not a formula
            elem_id="docqa-chat",
        )
        with gr.Row(equal_height=True):
            question = gr.Textbox(
                placeholder="Type a question and press Enter",
                show_label=False,
                scale=5,
                max_length=2000,
                autofocus=True,
                elem_id="docqa-question",
            )
            send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="docqa-ask")
        examples = _example_questions(engine)
        if examples:
            gr.Examples(examples=[[q] for q in examples], inputs=question, label="Try asking")
        clear = gr.Button("New conversation", size="sm", variant="secondary")

        with gr.Accordion("Add documents", open=False):
            gr.Markdown(
                f"Up to {MAX_UPLOAD_FILES} files of at most {MAX_UPLOAD_MB} MB each: "
                + ", ".join(sorted(SUPPORTED_SUFFIXES))
                + ". They are copied into the corpus folder and indexed."
            )
            files = gr.File(file_count="multiple", label="Documents", elem_id="docqa-upload")
            add = gr.Button("Add to index", elem_id="docqa-add")
            upload_result = gr.Markdown(elem_id="docqa-upload-result")
        doc_views, doc_values = library.documents_panel(engine, status, _status_line)

        def respond(
            message: str, history: list[dict], chosen: str | None = None
        ) -> tuple[list[dict], str]:
            """Answer `message` in the context of the chat so far, from collection `chosen`."""
            message = (message or "").strip()
            if not message:
                return history, ""
            earlier = [_text_of(m["content"]) for m in history if m["role"] == "user"]
            answer = engine.ask(message, earlier, chosen or None)
            history = [
                *history,
                {"role": "user", "content": message},
                {"role": "assistant", "content": render_answer(answer)},
            ]
            return history, ""

        def add_documents(
            paths: list[str] | None, chosen: str | None, progress=gr.Progress()
        ) -> tuple[str, str]:
            """Add uploads to the collection chosen in the selector."""
            return add_uploads(engine, paths or [], progress, chosen or None), _status_line(engine)

        question.submit(respond, [question, chat, collection], [chat, question], api_name="ask")
        send.click(
            respond, [question, chat, collection], [chat, question], api_visibility="private"
        )
        collection.change(lambda: [], None, chat, api_visibility="private")
        clear.click(lambda: ([], ""), None, [chat, question], api_visibility="private")
        add.click(
            add_documents, [files, collection], [upload_result, status], api_visibility="private"
        ).then(doc_values, None, list(doc_views), api_visibility="private")
        if engine.settings.watch:  # show a watched update while it runs, and what it changed
            gr.Timer(2).tick(
                lambda: (_status_line(engine), *doc_values()),
                None,
                [status, *doc_views],
                api_visibility="private",
            )
        timer = gr.Timer(15)
        timer.tick(lambda: _status_line(engine), None, status, api_visibility="private")
        timer.tick(
            lambda: gr.Dropdown(choices=_collection_names(engine)),
            None,
            collection,
            api_visibility="private",
        )
    return ui


def _collection_names(engine: Engine) -> list[str]:
    """The collections to choose from; the server's default even before it has an index."""
    try:
        names = engine.collections.names()
    except Exception:  # the store is unreachable: offer the default, which says why on use
        names = []
    return names if engine.default_collection in names else [engine.default_collection, *names]


def _text_of(content: str | list | dict) -> str:
    """The text of a chat message, whichever of Gradio's message shapes it arrives in."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    return " ".join(_text_of(part) for part in content)


def render_answer(answer: Answer) -> str:
    """The answer and its citations as HTML; every piece of document text is escaped."""
    if answer.answer is None:
        closest = "".join(_passage_html(n, p) for n, p in enumerate(answer.passages[:3], start=1))
        return (
            f'<div class="docqa-none">No answer in the documents.</div>'
            f"<div>The closest passages:</div>{closest}"
        )
    first = answer.citations[0]
    sentence = answer.sentence or answer.answer
    offset = sentence.find(answer.answer)
    body = (
        _highlight(sentence, offset, offset + len(answer.answer))
        if offset >= 0
        else _escape(sentence)
    )
    lead = f"<strong>{_escape(answer.answer)}</strong><br>" if answer.answer != sentence else ""
    cites = "".join(_citation_html(c) for c in answer.citations)
    return (
        f'<div class="docqa-answer">{lead}{body} <sup>[{first.n}]</sup></div>'
        f'<div class="docqa-confidence">confidence {answer.confidence:.2f}</div>{cites}'
    )


def _citation_html(c: Citation) -> str:
    snippet = _highlight(c.snippet, c.answer_start, c.answer_end)
    where = f"{_source_link(c.source, c.page, c.location)} {view_link(c)}"
    if c.ocr:
        where += ' <span class="docqa-ocr">text read by OCR: it may differ from the page</span>'
    return f'<div class="docqa-cite">[{c.n}] {where}<br>…{snippet}…</div>'


def _highlight(text: str, start: int, end: int) -> str:
    return f"{_escape(text[:start])}<mark>{_escape(text[start:end])}</mark>{_escape(text[end:])}"


def _passage_html(n: int, p: Passage) -> str:
    text = p.text if len(p.text) < 400 else p.text[:400] + "…"
    return (
        f'<div class="docqa-cite">[{n}] {_source_link(p.source, p.page, p.location)}<br>'
        f"{_escape(text)}</div>"
    )


def _source_link(source: str, page: int | None, location: str | None) -> str:
    """The file's link, named with `location` as the engine named it (`app.engine.place`)."""
    href = "/files/" + quote(source) + (f"#page={page}" if page else "")
    label = _escape(source) + (f", {_escape(location)}" if location else "")
    return f'<a class="where" href="{html.escape(href)}" target="_blank" rel="noopener">{label}</a>'


def _escape(text: str) -> str:
    """HTML-escaped, with paragraph breaks kept as <br>, and the line breaks between table rows
    and between list items (a line wrapped inside a paragraph is a space): a message that opens
    with a <div> and has no blank line is one HTML block to Markdown, shown as it is (no
    Markdown escapes: they would show as backslashes, "\\| Year: 2024 \\|" for a table row)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    escaped = html.escape(text, quote=False).replace("\n\n", "<br>")
    return _ROW_OR_ITEM_BREAK.sub("<br>", escaped).replace("\n", " ")


def _escape_markdown(text: str) -> str:
    """`_escape`d text for a Markdown line (the upload report): its marks are not Markdown."""
    return re.sub(r"([\\`*_{}\[\]#|~])", r"\\\1", _escape(text))


def _status_line(engine: Engine) -> str:
    try:
        status = engine.status()
    except Exception as exc:  # no index yet: say so instead of failing the page
        return f"No index loaded: {exc}"
    built = status["built_at"].replace("T", " ").replace("Z", " UTC")
    return (
        f"{status['documents']} documents · {status['chunks']} passages · updated {built}"
        + library.activity_note(engine)
    )


def _example_questions(engine: Engine) -> list[str]:
    """The demo questions, but only when the index is the bundled sample corpus."""
    try:
        roots = [Path(p).resolve() for p in engine.reader().manifest.roots.values()]
    except Exception:
        return []
    if roots != [BUNDLED_CORPUS]:
        return []
    return [q["question"] for q in json.loads(DEMO_QUESTIONS.read_text())][:5]


@dataclass
class _UploadOutcome:
    name: str
    result: str
    placed: Path | None = None  # where the upload was saved, if it was


def add_uploads(engine: Engine, paths: list[str], progress, collection: str | None = None) -> str:
    """Copy uploads into the corpus of `collection` under safe, unused names, then update its
    index."""
    if len(paths) > MAX_UPLOAD_FILES:
        return f"Too many files: at most {MAX_UPLOAD_FILES} at a time."
    try:
        folder = engine.upload_folder(collection)
    except (UnknownCollectionError, StoreError, ValueError) as exc:
        return f"Not added: {_escape_markdown(str(exc))}"
    outcomes: list[_UploadOutcome] = []
    for path in progress.tqdm(paths, desc="Copying"):
        source = Path(path)
        name = safe_name(source.name)
        if source.suffix.lower() not in SUPPORTED_SUFFIXES:
            outcomes.append(
                _UploadOutcome(name, f"not added: unsupported type {source.suffix or '(none)'}")
            )
        else:
            outcomes.append(_place_upload(source, folder, name))
    if any(o.placed for o in outcomes):
        progress(0.5, desc="Indexing")
        _index_uploads(engine, [o for o in outcomes if o.placed], collection)
    lines = [f"- **{_escape_markdown(o.name)}**: {_escape_markdown(o.result)}" for o in outcomes]
    return "\n".join(lines) or "No files chosen."


def _place_upload(source: Path, folder: Path, name: str) -> _UploadOutcome:
    """Save one upload, or say why not (too large, gone, disk full) without failing the rest."""
    try:
        if source.stat().st_size > MAX_UPLOAD_MB * 2**20:
            return _UploadOutcome(name, f"not added: larger than {MAX_UPLOAD_MB} MB")
        final = place_file(source, folder, name)
    except OSError as exc:
        return _UploadOutcome(name, f"not added: {exc.strerror or exc}")
    return _UploadOutcome(name, f"saved as {final.name}", final)


def _index_uploads(
    engine: Engine, placed: list[_UploadOutcome], collection: str | None = None
) -> None:
    """Update the index, then note on each saved upload whether it was indexed and if not why."""
    try:
        report = library.update_index(engine, "upload", collection)
    except (StoreError, OSError) as exc:
        for outcome in placed:
            outcome.result += f", but the index was not updated: {exc}"
        return
    skipped = {s.relpath: s.reason for s in report.files_skipped}
    for outcome in placed:
        relpath = engine.relpath_in_index(outcome.placed, collection)
        if relpath in skipped:
            outcome.result += f", but not indexed: {skipped[relpath]}"
        elif relpath in report.files_indexed:
            outcome.result += ", indexed"


def safe_name(name: str) -> str:
    """A file name that stays inside its folder: no separators, no dots-only, no control chars."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    return name[:120] or f"upload-{int(time.time())}"


def place_file(source: Path, folder: Path, name: str) -> Path:
    """Copy `source` into `folder` as `name`, or `name (2)` ... if taken; never a partial file.

    The bytes go to a hidden scratch file first (ingest ignores hidden files), then `os.link`
    gives it its final name, which fails instead of overwriting if the name is taken meanwhile.
    """
    scratch_dir = folder / ".docqa-uploads"
    scratch_dir.mkdir(parents=True, exist_ok=True)
    scratch = scratch_dir / f"{os.getpid()}-{time.monotonic_ns()}.part"
    stem, suffix = Path(name).stem, Path(name).suffix
    try:
        shutil.copyfile(source, scratch)  # a failure here leaves nothing under a real name
        for attempt in range(1, 1000):
            final = folder / (name if attempt == 1 else f"{stem} ({attempt}){suffix}")
            try:
                os.link(scratch, final)
                return final
            except FileExistsError:
                continue
        raise FileExistsError(f"no free name for {name}")
    finally:
        scratch.unlink(missing_ok=True)
