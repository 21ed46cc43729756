"""Which runtime runs the model on this CPU, for each workload, from the CPU's own flags.

Measured (BENCHMARKS.md, "Embedding runtime by CPU"): on a CPU with AMX, PyTorch's bf16
autocast embeds batches 2.8 times faster than fp32 (cosine 0.99997 to fp32); a single question
takes 3.8 ms in int8 ONNX and 5.6 ms in fp32 ONNX, and PyTorch's per-call overhead makes it the
slowest for one text. Without AMX, bf16 is emulated and slower than fp32, so such a CPU keeps
int8 ONNX, the default before this choice, for everything: a wrong guess must never make a
machine slower than it was. `DOCQA_BACKEND` overrides the choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

Workload = Literal["bulk", "query"]
SAFE_BACKEND = "onnx-int8"  # fastest for one text everywhere, and the default before choosing
BULK_BF16 = "torch-bf16"
QUERY_FP32 = "onnx"  # 5.6 ms a question against int8's 3.8, and it holds up under load
AMX_FLAGS = frozenset({"amx_bf16", "amx_tile"})  # tiles and their bf16 instructions


@dataclass(frozen=True)
class Cpu:
    model: str
    flags: frozenset[str]

    @property
    def has_amx_bf16(self) -> bool:
        return self.flags >= AMX_FLAGS


def parse_cpuinfo(text: str) -> Cpu:
    """The first processor's model name and flags from the text of /proc/cpuinfo."""
    model, flags = "unknown", frozenset[str]()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and model == "unknown":
            model = value.strip()
        elif key == "flags" and not flags:
            flags = frozenset(value.split())
    return Cpu(model, flags)


@cache
def this_cpu(cpuinfo: Path = Path("/proc/cpuinfo")) -> Cpu:
    """This machine's CPU; no flags where /proc/cpuinfo cannot be read (not Linux)."""
    try:
        return parse_cpuinfo(cpuinfo.read_text(errors="replace"))
    except OSError:
        return Cpu("unknown", frozenset())


def choose_backend(cpu: Cpu, workload: Workload) -> str:
    """The embedding runtime for `workload` on `cpu`: where AMX runs bf16 natively, bf16 PyTorch
    for batches and fp32 ONNX for questions; int8 ONNX for both everywhere else.

    Questions and passages must carry the same rounding: SciFact dense nDCG@10 fell 0.0065 below
    fp32 with bf16 passages and int8 questions, but only 0.0030 with int8 on both sides, and
    bf16 passages with fp32 questions stay within 0.0023 of fp32 everywhere (BENCHMARKS.md)."""
    if not cpu.has_amx_bf16:
        return SAFE_BACKEND
    return BULK_BF16 if workload == "bulk" else QUERY_FP32


def choose_reader_runtime(cpu: Cpu, openvino: bool) -> str:
    """The reader's runtime on `cpu`, `openvino` saying whether OpenVINO is installed. Where AMX
    runs bf16 natively: OpenVINO, whose CPU plugin runs bf16 there by itself (59 ms for five
    passages against 118 ms for PyTorch's bf16 autocast, the same validation EM/F1), or bf16
    PyTorch without it. Elsewhere fp32 ONNX on every core (333 ms, against 563 ms for PyTorch's
    one thread, on 2 cores without AMX; int8 ONNX was no faster there and lost 0.009
    validation F1); OpenVINO was not measured on such a CPU, so it is not guessed at."""
    if not cpu.has_amx_bf16:
        return QUERY_FP32
    return "openvino" if openvino else BULK_BF16
