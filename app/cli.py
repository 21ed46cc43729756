"""The `docqa` command. Each subcommand parses flags into Settings and calls one module."""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from pathlib import Path

from app.settings import Settings, describe
from app.store.collections import collection_settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(
            index=args.index,
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
            watch=getattr(args, "watch", None),
            store=args.store,
            milvus_uri=args.milvus_uri,
            milvus_collection=args.milvus_collection,
        )
        if not getattr(args, "question", "x").strip():
            raise ValueError("the question is empty")
        return args.run(args, settings)
    except KeyboardInterrupt:
        print("interrupted; the index is unchanged", file=sys.stderr)
        return 130
    except (OSError, ValueError) as exc:
        print(f"docqa: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from app.store.backends import milvus_failure
        from app.store.manifest import StoreError

        if isinstance(exc, StoreError):
            print(f"docqa: error: {exc}", file=sys.stderr)
            return 2
        if (reason := milvus_failure(exc)) is not None:
            print(f"docqa: error: Milvus refused a request: {reason}", file=sys.stderr)
            return 2
        raise


def _parser() -> argparse.ArgumentParser:
    settings_help = "\n".join(
        f"  {name:<24} {help} (default: {default})" for name, default, help in describe()
    )
    parser = argparse.ArgumentParser(
        prog="docqa",
        description="Ask your documents a question; get the exact sentence that answers it.",
        epilog="settings (environment variables):\n" + settings_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    ingest = _command(
        commands, "ingest", _ingest, "build or update the index from folders of documents"
    )
    ingest.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="folders to index (default: DOCQA_CORPUS, corpus/)",
    )
    ingest.add_argument(
        "--rebuild",
        action="store_true",
        help="read every file again and build the index anew (chunk texts the old index holds "
        "keep their vectors when the model is the same)",
    )
    ingest.add_argument(
        "--re-embed",
        action="store_true",
        help="embed every chunk read, even text whose vector the index already holds",
    )
    ingest.add_argument(
        "--wait", action="store_true", help="wait for another running ingest instead of refusing"
    )
    ingest.add_argument("--json", action="store_true", help="print a JSON summary instead of text")
    ingest.add_argument(
        "--shard",
        metavar="I/N",
        help="with --store milvus: index only part I of N of the corpus (run 1/N ... N/N, "
        "on any machines, into the same collection)",
    )
    ingest.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="embed in N processes, sharing this machine's cores (default: 1)",
    )

    search = _command(commands, "search", _search, "show the passages that best match a question")
    search.add_argument("question", help="what to look for")
    search.add_argument("-k", type=int, help="how many passages (default: DOCQA_TOP_K, 5)")
    search.add_argument(
        "--mode",
        choices=["hybrid", "dense", "keyword"],
        default="hybrid",
        help="ranking: dense vectors, BM25 keywords, or both fused (default)",
    )
    search.add_argument("--json", action="store_true", help="print JSON")
    _filter_flags(search)

    ask = _command(commands, "ask", _ask, "answer a question with a sentence from the documents")
    ask.add_argument("question", help="the question")
    ask.add_argument(
        "--history",
        action="append",
        default=[],
        metavar="QUESTION",
        help="an earlier question of the conversation (repeat, oldest first)",
    )
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    _filter_flags(ask)

    serve = _command(commands, "serve", _serve, "serve the chat UI and the JSON API")
    serve.add_argument("--host", help="address to bind (default: DOCQA_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: DOCQA_PORT, 7860)")
    serve.add_argument(
        "--watch",
        action="store_true",
        default=None,
        help="update the index when files in the corpus folders change (default: DOCQA_WATCH)",
    )

    check = _command(commands, "check", _check, "verify that an index is complete and consistent")
    check.add_argument("--json", action="store_true", help="print the findings as JSON")
    return parser


def _command(commands, name: str, run, help: str) -> argparse.ArgumentParser:
    sub = commands.add_parser(name, help=help, description=help)
    sub.add_argument("--index", type=Path, help="index folder (default: DOCQA_INDEX, index/)")
    sub.add_argument(
        "--store", choices=["faiss", "milvus"], help="where the index lives (default: faiss)"
    )
    sub.add_argument(
        "--milvus-uri",
        metavar="URI",
        help="Milvus Lite file (.db) or http://host:19530 (default: DOCQA_MILVUS_URI)",
    )
    sub.add_argument(
        "--milvus-collection",
        metavar="NAME",
        help="name of the index in Milvus (default: DOCQA_MILVUS_COLLECTION, docqa)",
    )
    sub.add_argument(
        "--collection",
        metavar="NAME",
        default="default",
        help="the named document set to use (letters, digits, - and _; default: the index "
        "itself); `ingest --collection NAME FOLDER` makes one",
    )
    sub.set_defaults(run=run)
    return sub


def _filter_flags(sub: argparse.ArgumentParser) -> None:
    """The flags that narrow a search to some of the indexed files (all of them must hold)."""
    group = sub.add_argument_group("filters (applied inside the search; all must hold)")
    group.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="GLOB",
        help="only files whose source name matches, e.g. 'notes/*' or '*.pdf' (repeat: any)",
    )
    group.add_argument(
        "--type",
        action="append",
        default=[],
        metavar="SUFFIX",
        help="only files of this type, e.g. pdf or docx (repeat: any)",
    )
    group.add_argument("--pages", metavar="A-B", help="only pages A to B (or one page: N)")
    group.add_argument("--since", metavar="DATE", help="only files modified on or after DATE")
    group.add_argument("--until", metavar="DATE", help="only files modified before DATE")


def cli_filter(args: argparse.Namespace):
    """The filter that the filter flags describe, or None; `FilterError` (a ValueError) names a
    flag docqa cannot apply."""
    from app.store.filters import FilterError, compound, condition

    parts = []
    if args.source:
        parts.append(compound("or", [condition("source", "glob", g) for g in args.source]))
    if args.type:
        parts.append(condition("type", "in", args.type))
    if args.pages:
        first, _, last = args.pages.partition("-")
        if not (first.strip().isdigit() and (not last or last.strip().isdigit())):
            raise FilterError(f"--pages {args.pages!r}: give a page (3) or a range (3-7)")
        parts.append(condition("page", "gte", int(first)))
        parts.append(condition("page", "lte", int(last or first)))
    if args.since:
        parts.append(condition("modified", "gte", _date_or_seconds(args.since)))
    if args.until:
        parts.append(condition("modified", "lt", _date_or_seconds(args.until)))
    return compound("and", parts) if parts else None


def _date_or_seconds(text: str) -> str | float:
    return float(text) if re.fullmatch(r"\d+(\.\d+)?", text.strip()) else text


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from app.ingest.pipeline import ingest
    from app.records import Shard

    settings = collection_settings(settings, args.collection)
    report = ingest(
        settings,
        args.paths or _collection_folders(settings, args.collection),
        rebuild=args.rebuild,
        reuse_vectors=not args.re_embed,
        wait=args.wait,
        progress=sys.stderr.isatty() and not args.json,
        shard=Shard.parse(args.shard) if args.shard else None,
        workers=args.workers,
    )
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0
    reused = f" ({report.chunks_reused} already embedded)" if report.chunks_reused else ""
    print(
        f"{len(report.files_indexed)} file(s) indexed, {report.files_unchanged} unchanged, "
        f"{len(report.files_removed)} removed, {len(report.files_skipped)} skipped; "
        f"chunks +{report.chunks_added}{reused} -{report.chunks_removed} = "
        f"{report.chunks_total} in {report.seconds:.1f} s"
    )
    for skipped in report.files_skipped:
        print(f"  skipped {_visible(skipped.relpath)}: {skipped.reason}")
    if report.files_read_by_older_docqa:
        print(
            f"note: {report.files_read_by_older_docqa} unchanged file(s) keep the text and chunks "
            "an older docqa made; `docqa ingest --rebuild` reads them the way this one does"
        )
    return 0


def _collection_folders(settings: Settings, name: str) -> list[Path] | None:
    """The folders a named collection mirrors, for an ingest that names none (None: the
    default collection's DOCQA_CORPUS)."""
    from app.store.backends import backend
    from app.store.collections import DEFAULT

    if name == DEFAULT:
        return None
    store = backend(settings)
    manifest = store.read_manifest() if store.exists() else None
    if manifest is None or not manifest.roots:
        raise ValueError(f"collection {name!r} is new: name its folders, docqa ingest "
                         f"--collection {name} FOLDER ...")  # fmt: skip
    return [Path(folder) for folder in manifest.roots.values()]


def _visible(name: str) -> str:
    """`name` with control characters escaped, so a file name cannot forge lines or colours."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m[0]):02x}", name)


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from app.engine import Engine, to_json

    if args.k is not None and not 1 <= args.k <= 1000:
        raise ValueError("-k must be between 1 and 1000")
    passages = Engine(settings).search(
        args.question, args.k, args.mode, args.collection, filters=cli_filter(args)
    )
    if args.json:
        print(json.dumps({"query": args.question, "passages": to_json(passages)}, indent=2))
        return 0
    if not passages:
        print("No passages match.")
    for rank, p in enumerate(passages, start=1):
        where = p.source + (f", {p.location}" if p.location else "")
        print(f"{rank}. [{where}] score {p.score:.4f} (chunk {p.id})")
        print(textwrap.indent(textwrap.fill(p.text, 96), "   "))
    return 0


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from app.engine import Engine, to_json

    answer = Engine(settings).ask(
        args.question, args.history, args.collection, filters=cli_filter(args)
    )
    if args.json:
        print(json.dumps(to_json(answer), indent=2))
        return 0
    if answer.answer is None:
        print(answer.message)
        for p in answer.passages[:3]:
            where = p.source + (f", {p.location}" if p.location else "")
            print(f"  - [{where}] {_flat(p.text[:160])}...")
        return 0
    print(
        _flat(answer.answer)
        if answer.answer == answer.sentence
        else f"{_flat(answer.answer)}\n\n{_flat(answer.sentence)}"
    )
    print(f"(confidence {answer.confidence:.2f})")
    for c in answer.citations:
        marked = (
            c.snippet[: c.answer_start]
            + "**"
            + c.snippet[c.answer_start : c.answer_end]
            + "**"
            + c.snippet[c.answer_end :]
        )
        place = f", {c.location}" if c.location else ""
        read_by = " (text read by OCR)" if c.ocr else ""
        print(f"[{c.n}] {c.source}{place}{read_by}: ...{_flat(marked)}...")
    return 0


def _flat(text: str) -> str:
    """`text` on one line: a PDF's line ends inside a sentence are layout, not content (--json
    keeps the text as stored, offsets and all)."""
    return " ".join(text.split())


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from app.serve.server import serve

    serve(settings, args.collection)
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from app.store.backends import backend

    store = backend(collection_settings(settings, args.collection))
    problems = store.check()
    notes = store.notes()  # in Milvus mode: whether keyword search works on this engine
    if args.json:
        print(
            json.dumps(
                {"index": store.where, "ok": not problems, "problems": problems, "notes": notes}
            )
        )
        return 1 if problems else 0
    if problems:
        print(f"{store.where}: {len(problems)} problem(s); rebuild with: docqa ingest --rebuild")
        for problem in problems:
            print(f"  {problem}")
    else:
        print(f"{store.where}: consistent")
    for note in notes:
        print(note)
    return 1 if problems else 0
