"""The library as the UI shows and manages it: the indexed files, removing one, and every index
update the server runs (uploads, removals, the folder watcher) with what it changed.

All updates go through `update_index`, so they share one way of running ingest over the live
index's own folders and one record of what ran last, which the status line shows. Ingest takes
the index's write lock, so updates from several places queue instead of colliding.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.store.manifest import StoreError

if TYPE_CHECKING:
    from app.engine import Engine
    from app.ingest.pipeline import IngestReport


@dataclass(frozen=True)
class Document:
    source: str
    type: str  # the suffix, without its dot
    pages: int
    passages: int
    modified: str  # the file's modification time when it was indexed, local time
    skipped: str | None  # why it is not searchable, for a refused file


@dataclass
class Activity:
    """What the server's index updates are doing: the one running, and the last one done."""

    running: str | None = None  # why the running update runs ("upload", "watch: 3 changes")
    last: str | None = None  # "22:41:05 watch: 2 indexed, 1 removed"
    reports: list[IngestReport] = field(default_factory=list)  # every finished update
    lock: threading.Lock = field(default_factory=threading.Lock)


_activities: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def activity(engine: Engine) -> Activity:
    """The update record of `engine`, made on first use."""
    return _activities.setdefault(engine, Activity())


def documents(engine: Engine, collection: str | None = None) -> list[Document]:
    """Every file of the live index, indexed or refused, by name."""
    try:
        files = engine.reader(collection).manifest.files
    except StoreError:
        return []
    return [
        Document(
            source=source,
            type=Path(source).suffix.lstrip(".").lower() or "(none)",
            pages=entry.pages,
            passages=entry.chunks,
            modified=time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.mtime_ns / 1e9)),
            skipped=entry.skipped,
        )
        for source, entry in sorted(files.items())
    ]


def update_index(engine: Engine, why: str, collection: str | None = None) -> IngestReport:
    """Bring the index of `collection` up to date with its folders, recording the run.

    Raises StoreError or OSError when the index cannot be written; the live one stays intact.
    """
    from app.ingest.pipeline import ingest

    record = activity(engine)
    record.running = why
    try:
        report = ingest(
            engine.settings_of(collection),
            engine.ingest_folders(collection),
            wait=True,
            embedder=engine.embedder,
        )
    except (StoreError, OSError) as exc:
        record.last = f"{_now()} {why}: failed, {exc}"
        raise
    finally:
        record.running = None
    with record.lock:
        record.reports.append(report)
        record.last = f"{_now()} {why}: {describe_changes(report)}"
    return report


def describe_changes(report: IngestReport) -> str:
    """What an update changed, in a few words."""
    parts = [
        f"{len(report.files_indexed)} indexed" if report.files_indexed else "",
        f"{len(report.files_removed)} removed" if report.files_removed else "",
        f"{len(report.files_skipped)} skipped" if report.files_skipped else "",
    ]
    return ", ".join(p for p in parts if p) or "nothing changed"


def activity_note(engine: Engine) -> str:
    """The status line's words about index updates: the running one, else the last one."""
    record = activity(engine)
    if record.running:
        return f" · updating the index ({record.running})…"
    return f" · last update {record.last}" if record.last else ""


def remove_document(engine: Engine, source: str, collection: str | None = None) -> str:
    """Delete one indexed file from its corpus folder and from the index; say what happened.

    Only a file the index names and that lies inside its corpus folder can be removed (the same
    check that serves /files), and nothing but that file is deleted.
    """
    try:
        indexed = source in engine.reader(collection).manifest.files
        path = engine.locate(source, collection) if indexed else None
    except (ValueError, OSError, StoreError):
        path = None
    if path is None:
        return f"Not removed: no indexed document named {source!r}."
    try:
        path.unlink()
    except OSError as exc:
        return f"Not removed: {exc.strerror or exc}."
    try:
        report = update_index(engine, f"removed {source}", collection)
    except (StoreError, OSError) as exc:
        return f"Deleted {source}, but the index was not updated: {exc}"
    gone = source in report.files_removed
    return f"Removed {source}" + ("." if gone else ", but the index still lists it.")


def _now() -> str:
    return time.strftime("%H:%M:%S")


HEADERS = ["document", "type", "pages", "passages", "modified", "status"]
CONFIRM_JS = (
    "(source) => (source && confirm('Remove ' + source + ' from the index and delete the file "
    "from the corpus folder?')) ? source : ''"
)


def table_rows(engine: Engine) -> list[list]:
    """The documents panel's rows: one per file of the live index."""
    return [
        [
            d.source,
            d.type,
            d.pages,
            d.passages,
            d.modified,
            f"skipped: {d.skipped}" if d.skipped else "indexed",
        ]
        for d in documents(engine)
    ]


def documents_panel(engine: Engine, status: Any, status_line: Callable[[Engine], str]) -> tuple:
    """The "Documents" accordion: the table and a remove control with a confirmation.

    `status` is the status line's component, redrawn by `status_line` after a removal. Returns
    the components to redraw when the index changes elsewhere (table, choice) and a function
    giving their new values. Call inside a `gr.Blocks` context.
    """
    import gradio as gr

    def refreshed() -> tuple:
        rows = table_rows(engine)
        return rows, gr.Dropdown(choices=[r[0] for r in rows])  # a choice made stays

    with gr.Accordion("Documents", open=False, elem_id="docqa-documents"):
        rows = table_rows(engine)
        table = gr.Dataframe(
            value=rows, headers=HEADERS, interactive=False, wrap=True, elem_id="docqa-doc-table"
        )
        with gr.Row(equal_height=True):
            choice = gr.Dropdown(
                choices=[r[0] for r in rows],
                value=None,
                label="Remove a document (deletes the file from the corpus folder)",
                scale=4,
                elem_id="docqa-remove-choice",
            )
            remove = gr.Button("Remove", variant="stop", scale=1, elem_id="docqa-remove")
        result = gr.Markdown(elem_id="docqa-remove-result")

    def removed(source: str | None) -> tuple:
        message = remove_document(engine, source) if source else "Nothing removed."
        rows = table_rows(engine)
        choices = gr.Dropdown(choices=[r[0] for r in rows], value=None)
        return message, rows, choices, status_line(engine)

    remove.click(
        removed, choice, [result, table, choice, status], js=CONFIRM_JS, api_visibility="private"
    )
    return (table, choice), refreshed
