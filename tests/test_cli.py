import json
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, run_docqa


def test_help_is_instant_and_loads_no_model():
    code = "import sys, app.cli; app.cli._parser().format_help(); print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "False"
    help_text = run_docqa("--help").stdout
    for command in ("ingest", "search", "ask", "serve", "check"):
        assert command in help_text
    assert "DOCQA_INDEX" in help_text


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory):
    index = tmp_path_factory.mktemp("cli") / "index"
    report = json.loads(
        run_docqa("ingest", str(ROOT / "corpus"), "--index", str(index), "--json").stdout
    )
    assert report["published"] and not report["files_skipped"]
    return index


def test_search_json(cli_index):
    out = json.loads(
        run_docqa(
            "search", "allotment plot rent", "--index", str(cli_index), "-k", "2", "--json"
        ).stdout
    )
    assert out["query"] == "allotment plot rent" and len(out["passages"]) == 2
    assert out["passages"][0]["source"] == "notes/allotment-committee-2026-10.txt"


def test_ask_json_and_text(cli_index):
    question = "When was the first public version of docqa published?"
    out = json.loads(run_docqa("ask", question, "--index", str(cli_index), "--json").stdout)
    assert out["question"] == question and "3 November 2026" in out["answer"]
    assert out["citations"][0]["source"] == "faq.html" and out["citations"][0]["n"] == 1
    text = run_docqa("ask", question, "--index", str(cli_index)).stdout
    assert "[1] faq.html" in text


def test_undecodable_bytes_on_the_command_line_are_searched_around(cli_index):
    """A terminal in another encoding passes bytes that are not UTF-8 (Python holds them as
    lone surrogates, which the tokenizers refuse): the rest of the query still searches."""
    for command in ("search", "ask"):
        done = run_docqa(command, "allotment plot rent \udcff", "--index", str(cli_index))
        assert "allotment-committee-2026-10.txt" in done.stdout


def test_check_and_clear_errors(cli_index, tmp_path):
    assert "consistent" in run_docqa("check", "--index", str(cli_index)).stdout
    missing = run_docqa("search", "anything", "--index", str(tmp_path / "none"), check=False)
    assert (
        missing.returncode == 2
        and "docqa ingest" in missing.stderr
        and "Traceback" not in missing.stderr
    )
    bad_k = run_docqa("search", "x", "-k", "0", "--index", str(cli_index), check=False)
    assert bad_k.returncode == 2 and "-k" in bad_k.stderr
    empty = run_docqa("ask", "   ", "--index", str(cli_index), check=False)
    assert empty.returncode == 2 and "question is empty" in empty.stderr


def test_collection_flag_on_ingest_search_and_check(tmp_path):
    (tmp_path / "kites").mkdir()
    (tmp_path / "kites" / "kites.md").write_text("Kites fly best in a steady wind.")
    index = str(tmp_path / "index")
    flags = ["--index", index, "--collection", "kites"]
    new = run_docqa("ingest", *flags, check=False)
    assert new.returncode == 2 and "name its folders" in new.stderr
    assert run_docqa("ingest", str(tmp_path / "kites"), *flags, "--json").returncode == 0
    assert run_docqa("ingest", *flags, "--json").returncode == 0  # the same folders again
    found = json.loads(run_docqa("search", "wind", *flags, "--json").stdout)
    assert [p["source"] for p in found["passages"]] == ["kites.md"]
    assert "consistent" in run_docqa("check", *flags).stdout
    for name in ("../escape", "a/b"):
        refused = run_docqa("search", "wind", "--index", index, "--collection", name, check=False)
        assert refused.returncode == 2 and "collection" in refused.stderr
        assert "Traceback" not in refused.stderr
    assert not (tmp_path / "escape").exists()


def test_filter_flags_narrow_search_and_ask(cli_index):
    flags = ["--index", str(cli_index), "--json"]
    only_md = json.loads(run_docqa("search", "allotment plot rent", "--type", "md", *flags).stdout)
    assert only_md["passages"] and {p["source"].rsplit(".", 1)[1] for p in only_md["passages"]} == {
        "md"
    }
    notes = json.loads(run_docqa("search", "docqa", "--source", "notes/*", *flags).stdout)
    assert {p["source"] for p in notes["passages"]} == {"notes/allotment-committee-2026-10.txt"}
    paged = json.loads(
        run_docqa("search", "lighthouse", "--type", "pdf", "--pages", "2", *flags).stdout
    )
    assert paged["passages"] and {p["page"] for p in paged["passages"]} == {2}
    future = json.loads(run_docqa("ask", "lighthouse", "--since", "2999-01-01", *flags).stdout)
    assert future["answer"] is None and not future["passages"]
    bad = run_docqa("search", "x", "--pages", "two", "--index", str(cli_index), check=False)
    assert bad.returncode == 2 and "--pages" in bad.stderr and "Traceback" not in bad.stderr


def test_ingest_names_the_files_an_older_docqa_read(tmp_path):
    """Their text stays as it was extracted until the user asks for a rebuild, and is said."""
    (tmp_path / "kites").mkdir()
    (tmp_path / "kites" / "kites.md").write_text("Kites fly best in a steady wind.")
    flags = [str(tmp_path / "kites"), "--index", str(tmp_path / "index")]
    assert "older docqa" not in run_docqa("ingest", *flags).stdout
    [manifest] = (tmp_path / "index").glob("v-*/manifest.json")
    manifest.write_text(re.sub(r'\s*"extraction": \d+,?', "", manifest.read_text()))
    again = run_docqa("ingest", *flags).stdout
    assert "1 unchanged file(s) keep the text and chunks an older docqa made" in again
    assert "docqa ingest --rebuild" in again
    rebuilt = run_docqa("ingest", *flags, "--rebuild").stdout
    assert "1 file(s) indexed" in rebuilt and "(1 already embedded)" in rebuilt
    assert "older docqa" not in run_docqa("ingest", *flags).stdout
    fresh = json.loads(run_docqa("ingest", *flags, "--rebuild", "--re-embed", "--json").stdout)
    assert fresh["chunks_reused"] == 0 and fresh["tokens_embedded"] > 0
