"""The peers of scripts/bench_peers.py and where they run: a virtual environment of their own,
created once with torch pinned to the local CPU build, and one subprocess per peer
(scripts/peers/worker.py) with a timeout, its progress echoed. A peer that fails to install or
run is reported, not fatal."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORKER = Path(__file__).resolve().parent / "peers" / "worker.py"
TORCH = "torch==2.13.0"  # the local CPU build; anything unpinned pulls a multi-GB CUDA build
WORKER_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",  # as docqa sets it
    "HAYSTACK_TELEMETRY_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
}
COMMON_PACKAGES = ["torch", "transformers", "sentence-transformers"]


@dataclass(frozen=True)
class Peer:
    name: str  # module scripts/peers/peer_<name>.py
    label: str
    install: list[str]  # pip requirements, installed with torch pinned
    report: list[str]  # packages whose versions the table states


PEERS = {
    "txtai": Peer(
        "txtai", "txtai Embeddings (FAISS)", ["txtai", "faiss-cpu", "sentence-transformers"],
        ["txtai", "faiss-cpu"],
    ),
    "langchain": Peer(
        "langchain", "LangChain FAISS",
        ["langchain-community", "langchain-huggingface", "faiss-cpu", "sentence-transformers"],
        ["langchain-core", "langchain-community", "langchain-huggingface", "faiss-cpu"],
    ),
    "haystack": Peer(
        "haystack", "Haystack in-memory", ["haystack-ai", "sentence-transformers-haystack"],
        ["haystack-ai", "sentence-transformers-haystack"],
    ),
    "llamaindex": Peer(
        "llamaindex", "LlamaIndex in-memory",
        ["llama-index-core", "llama-index-embeddings-huggingface"],
        ["llama-index-core", "llama-index-embeddings-huggingface"],
    ),
}  # fmt: skip
BARE = Peer("bare", "bare model + exact FAISS", [], ["faiss-cpu"])


def ensure_peer_venv(venv: Path, peers: list[Peer], reinstall: bool) -> dict[str, str | None]:
    """Create the peers' venv once; install each peer's packages; None or the error, per peer.

    Each peer is installed by its own pip call, so one that cannot be resolved offline costs only
    itself. The outcome is remembered in the venv, so a later run installs only what failed.
    """
    if reinstall:
        shutil.rmtree(venv, ignore_errors=True)
    state_file = venv / "docqa-peers.json"
    state = json.loads(state_file.read_text()) if state_file.is_file() else {}
    outcome: dict[str, str | None] = {}
    if not (venv / "bin" / "python").is_file() or state.get("torch") != TORCH:
        venv.mkdir(parents=True, exist_ok=True)
        print(f"[setup] creating {venv} with {TORCH}", flush=True)
        error = pip_install(venv, [TORCH], venv / "install-torch.log", create=True)
        if error:
            return {peer.name: f"venv set-up failed: {error}" for peer in peers}
        (venv / "constraints.txt").write_text(TORCH + "\n")
        state = {"torch": TORCH, "peers": {}}
    for peer in peers:
        if state["peers"].get(peer.name) == peer.install:
            outcome[peer.name] = None
            continue
        print(f"[setup] installing {peer.name}: {' '.join(peer.install)}", flush=True)
        outcome[peer.name] = pip_install(venv, peer.install, venv / f"install-{peer.name}.log")
        if outcome[peer.name] is None:
            state["peers"][peer.name] = peer.install
        state_file.write_text(json.dumps(state))
    return outcome


def pip_install(venv: Path, packages: list[str], log: Path, create: bool = False) -> str | None:
    """None on success, else the first line pip flagged as an error (full output in `log`)."""
    commands = [[sys.executable, "-m", "venv", str(venv)]] if create else []
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    constraints = venv / "constraints.txt"
    if constraints.is_file():
        pip += ["-c", str(constraints)]
    commands.append(pip + packages)
    with open(log, "w") as out:
        for command in commands:
            try:
                done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, timeout=1800)
            except subprocess.TimeoutExpired:
                return f"{' '.join(command[:4])} timed out after 1800 s"
            if done.returncode != 0:
                return first_error(log.read_text()) or f"exit code {done.returncode} (see {log})"
    return None


def first_error(output: str) -> str | None:
    lines = [line.strip() for line in output.splitlines()]
    errors = [line for line in lines if line.startswith("ERROR")]
    return errors[0] if errors else None


def run_worker(python: Path, peer: Peer, job: Path, args: argparse.Namespace) -> dict[str, Any]:
    """One system in its own process, its progress echoed; killed after `args.timeout` seconds."""
    packages = sorted(set(COMMON_PACKAGES + peer.report))
    job_for_peer = args.workdir / f"job-{peer.name}.json"
    job_for_peer.write_text(json.dumps({**json.loads(job.read_text()), "packages": packages}))
    output = args.workdir / f"result-{peer.name}.json"
    output.unlink(missing_ok=True)
    print(f"[{peer.name}] starting: {python}", flush=True)
    loadavg = os.getloadavg()[0]
    process = subprocess.Popen(
        [str(python), str(WORKER), "--peer", peer.name, str(job_for_peer), str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **WORKER_ENV},
        start_new_session=True,  # its own process group, so a timeout kills all of it
    )
    lines = echo_lines(process, args.workdir / f"log-{peer.name}.txt")
    try:
        process.wait(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return {
            "peer": peer.name,
            "label": peer.label,
            "error": f"timed out after {args.timeout:.0f} s",
        }
    if not output.is_file():
        last = lines[-1] if lines else "no output"
        error = f"exit code {process.returncode}: {last}"
        return {"peer": peer.name, "label": peer.label, "error": error}
    return {**json.loads(output.read_text()), "label": peer.label, "loadavg": loadavg}


def echo_lines(process: subprocess.Popen, log: Path) -> list[str]:
    """Echo the worker's stderr as it comes and keep it in `log`; the list fills as it runs."""
    lines: list[str] = []

    def pump() -> None:
        with open(log, "w") as out:
            for line in process.stderr:
                out.write(line)
                lines.append(line.rstrip())
                print("    " + line.rstrip(), flush=True)

    threading.Thread(target=pump, daemon=True).start()
    return lines
