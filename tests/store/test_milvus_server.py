"""Milvus over the network: `milvus-lite server` serves a Lite file over Milvus's protocol, one
process ingests into it and two `docqa serve` processes answer from it at once."""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("pymilvus")

from app.engine import Engine
from app.ingest.pipeline import ingest
from app.settings import Settings
from app.store.collections import collection_settings
from tests.conftest import CORPUS, DEMO_QUESTIONS, ROOT, write_files

MILVUS_LITE = Path(sys.executable).with_name("milvus-lite")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(check, what: str, seconds: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.skip(f"{what} exited with {process.returncode}: {process.stdout.read()[-800:]}")
        try:
            if check():
                return
        except (OSError, httpx.HTTPError):
            pass
        time.sleep(0.5)
    pytest.skip(f"{what} did not start within {seconds:.0f} s")


@pytest.fixture(scope="module")
def milvus_server(tmp_path_factory):
    if not MILVUS_LITE.exists():
        pytest.skip(f"no milvus-lite command at {MILVUS_LITE} (pip install milvus-lite)")
    port = _free_port()
    data = tmp_path_factory.mktemp("milvus-server")
    process = subprocess.Popen(
        [str(MILVUS_LITE), "server", "--data-dir", str(data), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip

    def listening() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True

    try:
        _wait(listening, "milvus-lite server", 60, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _serve(settings_flags: list[str], port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), *settings_flags],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "DOCQA_API_KEY": ""},
    )  # fmt: skip


def _keys(passages: list[dict]) -> list[tuple]:
    return [(p["source"], p["page"], p["start"], p["end"]) for p in passages]


@pytest.mark.slow
def test_two_servers_answer_from_one_milvus_server(milvus_server, tmp_path, real_embedder):
    import json

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    milvus = Settings.from_env(environ={}, corpus=corpus, store="milvus", milvus_uri=milvus_server)
    faiss = Settings.from_env(environ={}, corpus=corpus, index=tmp_path / "index")
    for settings in (milvus, faiss):
        assert ingest(settings, embedder=real_embedder).published
    reference = Engine(faiss)
    reference.embedder = real_embedder
    reference._expected = dataclasses.replace(reference._expected, model=real_embedder.name)
    flags = ["--store", "milvus", "--milvus-uri", milvus_server]
    ports = [_free_port(), _free_port()]
    servers = [_serve(flags, port) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, process in zip(urls, servers, strict=True):
            _wait(lambda u=url: httpx.get(u + "/api/health").status_code == 200,
                  "docqa serve", 240, process)  # fmt: skip
        questions = [q["question"] for q in json.loads(DEMO_QUESTIONS.read_text())]
        for question in questions:
            expected = _keys([dataclasses.asdict(p) for p in reference.search(question, 5)])
            for url in urls:
                found = httpx.post(url + "/api/retrieve", json={"query": question}, timeout=60)
                assert _keys(found.json()["passages"]) == expected, (url, question)
        # a collection made by another process (this one) is seen by both servers
        write_files(tmp_path / "later", {"kites.md": "Kites fly best in a steady wind."})
        later = collection_settings(milvus, "later")
        ingest(later, [tmp_path / "later"], embedder=real_embedder)
        for url in urls:
            listed = httpx.get(url + "/api/collections").json()["collections"]
            assert [c["name"] for c in listed] == ["default", "later"]
            found = httpx.post(
                url + "/api/retrieve", json={"query": "kites", "collection": "later"}
            ).json()
            assert [p["source"] for p in found["passages"]] == ["kites.md"]
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=30)
