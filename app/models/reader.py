"""The extractive reader: question + passage -> the span of the passage that answers, with scores.

A BERT-style encoder (the bundled all-MiniLM-L6-v2, fine-tuned for SQuAD-style span extraction
by scripts/train_reader.py) scores every token as the start and the end of the answer; the
[CLS] position's pair of scores is the "no answer" score. Only the fine-tuned layers ship in the
repository (app/models/reader/): the word embeddings were frozen during training and are read
from the bundled model's package, so the shipped files stay small. Nothing is downloaded.

Passages longer than the window are read in overlapping windows; a span never leaves its
passage (a passage is one chunk of one page), so it never crosses a page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.records import Span

if TYPE_CHECKING:
    from app.models.onnx_export import Form

READER_DIR = Path(__file__).with_name("reader")
READER_CHOICES = ("auto", "torch", "torch-bf16", "onnx", "onnx-int8", "openvino")


@dataclass(frozen=True)
class ReaderConfig:
    max_tokens: int = 384  # question + passage tokens per window, special tokens included
    stride: int = 128  # tokens two windows of one long passage share
    max_answer_tokens: int = 30
    max_question_tokens: int = 64


@dataclass(eq=False)
class SpanReader:
    """Loaded once, shared by every request (inference only, no state between calls)."""

    weights: Path
    base_model: Path
    # torch, torch-bf16 (bf16 autocast, for CPUs whose AMX runs it natively), onnx (fp32, the
    # same numbers as torch), onnx-int8 (fused, int8 weights) or openvino (the ONNX
    # form compiled by OpenVINO at the CPU's own precision: bf16 where native):
    # app.models.cpu.choose_reader_runtime picks one for the CPU
    runtime: str = "torch"
    cache: Path = Path("~/.cache/docqa")  # where the ONNX form is built, once
    # windows share a padded batch down to this part of its longest (app.models.cpu chooses it)
    least_fill: float = 0.9

    @property
    def threads(self) -> int:
        """PyTorch's threads (process-wide): one. On these 2 cores one passage batch with 2
        threads took 871 ms p50 under load against 115 ms with 1, as OpenMP threads spin while
        they wait; parallel requests use the cores instead (BENCHMARKS.md). onnxruntime's
        threads do not spin (app.models.embedder.onnx_session), so it takes every core: 333 ms
        against 611 ms with one thread for five 300-token windows, without AMX."""
        return 1 if self.runtime.startswith("torch") else 0

    @cached_property
    def config(self) -> ReaderConfig:
        """Window and span limits as trained (reader_config.json, written by the training)."""
        data = json.loads((self.weights / "reader_config.json").read_text())
        return ReaderConfig(
            max_tokens=int(data.get("inference_max_len", data.get("max_len", 384))),
            stride=int(data.get("stride", ReaderConfig.stride)),
            max_answer_tokens=int(data.get("max_answer_tokens", ReaderConfig.max_answer_tokens)),
        )

    @cached_property
    def _tokenizer(self):  # -> tokenizers.Tokenizer
        from app.models.embedder import plain_tokenizer

        return plain_tokenizer(self.base_model)

    @cached_property
    def _model(self):  # -> transformers.BertForQuestionAnswering
        import torch
        from safetensors.torch import load_file
        from transformers import AutoConfig, AutoModelForQuestionAnswering
        from transformers.utils import logging

        logging.set_verbosity_error()  # "some weights were newly initialised": they are loaded next
        logging.disable_progress_bar()
        config = AutoConfig.from_pretrained(self.base_model)
        model = AutoModelForQuestionAnswering.from_pretrained(self.base_model, config=config)
        trained = load_file(str(self.weights / "reader.safetensors"))
        missing = set(trained) - set(model.state_dict())
        if missing:
            raise ValueError(f"{self.weights}: weights the model does not have: {sorted(missing)}")
        model.load_state_dict({k: v.float() for k, v in trained.items()}, strict=False)
        if self.runtime.startswith("torch"):
            torch.set_num_threads(self.threads)
        return model.eval()

    def _onnx_file(self, form: Form) -> Path:
        """The reader as ONNX in `form` (app.models.onnx_export), exported from the PyTorch
        model on first use and cached."""
        from app.models.onnx_export import cached_export, export, files_digest

        files = [self.weights / "reader.safetensors", self.base_model / "model.safetensors"]

        def build(path: Path, eager: bool) -> None:
            export(self._model, path, ["start_logits", "end_logits"], eager)

        return cached_export(f"reader-{files_digest(files)}", self.cache, form, build)

    @cached_property
    def _onnx_session(self):  # -> onnxruntime.InferenceSession or OpenVinoSession
        from app.models.embedder import OpenVinoSession, onnx_session

        if self.runtime == "openvino":
            return OpenVinoSession(self._onnx_file("plain"))
        form = "fused-int8" if self.runtime == "onnx-int8" else "plain"
        return onnx_session(self._onnx_file(form), self.threads)

    def warm_up(self) -> SpanReader:
        self.read("warm up?", ["Warm up."])
        return self

    def read(self, question: str, passages: list[str], top_n: int = 5) -> list[list[Span]]:
        """The `top_n` best spans of each passage, best first; character offsets into it."""
        windows = self._windows(question, passages)
        if not windows:
            return [[] for _ in passages]
        lengths = [len(w.question) + len(w.passage) for w in windows]
        found: list[list[Span]] = [[] for _ in passages]
        for group in length_groups(lengths, self.least_fill):
            starts, ends = self._logits([windows[i] for i in group])
            for i, start_logits, end_logits in zip(group, starts, ends, strict=True):
                spans = self._spans(windows[i], start_logits, end_logits, top_n)
                found[windows[i].passage_index].extend(spans)
        return [_best_distinct(spans, top_n) for spans in found]

    def _windows(self, question: str, passages: list[str]) -> list[_Window]:
        config = self.config
        question_ids = self._tokenizer.encode(question, add_special_tokens=False).ids
        question_ids = question_ids[: config.max_question_tokens]
        room = config.max_tokens - len(question_ids) - 3  # [CLS] q [SEP] p [SEP]
        windows = []
        for number, text in enumerate(passages):
            encoding = self._tokenizer.encode(text, add_special_tokens=False)
            ids, offsets = encoding.ids, encoding.offsets
            begin = 0
            while True:
                end = min(len(ids), begin + room)
                windows.append(_Window(number, question_ids, ids[begin:end], offsets[begin:end]))
                if end == len(ids):
                    break
                begin = end - min(config.stride, room // 2)
        return windows

    def _logits(self, windows: list[_Window]) -> tuple[np.ndarray, np.ndarray]:
        """Start and end scores of every token of every window, in one padded batch (windows of
        about one length: `length_groups`)."""
        cls_id, sep_id = self._tokenizer.token_to_id("[CLS]"), self._tokenizer.token_to_id("[SEP]")
        rows = [[cls_id, *w.question, sep_id, *w.passage, sep_id] for w in windows]
        width = max(map(len, rows))
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for i, (row, window) in enumerate(zip(rows, windows, strict=True)):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
            types[i, len(window.question) + 2 : len(row)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        if not self.runtime.startswith("torch"):
            starts, ends = self._onnx_session.run(["start_logits", "end_logits"], feed)
            return starts, ends
        import contextlib

        import torch

        bf16 = self.runtime == "torch-bf16"
        autocast = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else None
        with torch.inference_mode(), autocast or contextlib.nullcontext():
            out = self._model(
                input_ids=torch.from_numpy(ids),
                attention_mask=torch.from_numpy(mask),
                token_type_ids=torch.from_numpy(types),
            )
        return out.start_logits.float().numpy(), out.end_logits.float().numpy()

    def _spans(
        self, window: _Window, start_logits: np.ndarray, end_logits: np.ndarray, top_n: int
    ) -> list[Span]:
        """The best (start, end) pairs inside the window's passage tokens, end after start and
        at most max_answer_tokens long; `no_answer` is the window's [CLS] pair."""
        first = len(window.question) + 2
        count = len(window.passage)
        starts = start_logits[first : first + count]
        ends = end_logits[first : first + count]
        no_answer = float(start_logits[0] + end_logits[0])
        length = self.config.max_answer_tokens
        pairs = starts[:, None] + ends[None, :]
        allowed = np.triu(np.ones((count, count), dtype=bool)) & ~np.triu(
            np.ones((count, count), dtype=bool), k=length
        )
        pairs = np.where(allowed, pairs, -np.inf)
        best = np.argsort(pairs, axis=None)[::-1][: top_n * 3]
        spans = []
        for flat in best:
            s, e = divmod(int(flat), count)
            if not np.isfinite(pairs[s, e]):
                break
            spans.append(
                Span(
                    window.passage_index,
                    window.offsets[s][0],
                    window.offsets[e][1],
                    float(pairs[s, e]),
                    no_answer,
                )
            )
        return spans


@dataclass(frozen=True)
class _Window:
    passage_index: int
    question: list[int]
    passage: list[int]  # token ids
    offsets: list[tuple[int, int]]  # character offsets of each token in the passage text


def _best_distinct(spans: list[Span], top_n: int) -> list[Span]:
    """The best span per (start, end), best first: overlapping windows find the same ones."""
    best: dict[tuple[int, int], Span] = {}
    for span in spans:
        key = (span.start, span.end)
        if key not in best or span.score > best[key].score:
            best[key] = span
    return sorted(best.values(), key=lambda s: -s.score)[:top_n]


def length_groups(lengths: list[int], least_fill: float = 0.9) -> list[list[int]]:
    """Indexes of `lengths` in batches whose rows are each at least `least_fill` of their batch's
    longest, longest batch first.

    One padded batch computes every row at its longest row's length: five passages read in one
    batch took 264 ms, grouped this way 198 ms (OpenVINO, Zen 3; BENCHMARKS.md, "AVX2 alone"),
    as fast as one window a call within the noise. Rows of about one length still share a
    call, which keeps a call's fixed cost off windows cut to the same size, as a long chunk's
    are."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    groups: list[list[int]] = []
    for i in order:
        if groups and lengths[i] >= least_fill * lengths[groups[-1][0]]:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


@cache
def load_reader(
    weights: Path = READER_DIR, runtime: str = "auto", cache: Path = Path("~/.cache/docqa")
) -> SpanReader:
    """The shipped reader on the bundled model, one per process and runtime (it holds no state
    between calls), run by `runtime` (see `resolve_runtime`)."""
    from app.models.cpu import reader_least_fill, this_cpu
    from app.models.embedder import model_dir

    chosen = resolve_runtime(runtime)
    if not (weights / "reader.safetensors").is_file():
        raise FileNotFoundError(
            f"no reader model in {weights}: rebuild it with scripts/train_reader.py"
        )
    return SpanReader(weights, model_dir("bundled"), chosen, cache, reader_least_fill(this_cpu()))


def resolve_runtime(runtime: str) -> str:
    """`runtime`, or for "auto" the one this CPU runs the reader fastest with (app.models.cpu);
    ValueError, naming the choices, for anything else."""
    from app.models.cpu import choose_reader_runtime, openvino_installed, require_openvino, this_cpu

    if runtime not in READER_CHOICES:
        raise ValueError(
            f"unknown reader runtime {runtime!r} (DOCQA_READER_BACKEND); "
            f"choose from {', '.join(READER_CHOICES)}"
        )
    if runtime == "openvino":
        require_openvino()
    if runtime != "auto":
        return runtime
    return choose_reader_runtime(this_cpu(), openvino_installed())
