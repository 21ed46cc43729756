"""Which runtime runs the model on this CPU, for each workload, from the CPU's own flags.

Measured (BENCHMARKS.md, "Embedding runtimes"): on a CPU with AMX, PyTorch's bf16 autocast
embeds batches about 2.9 times faster than fp32 (cosine 0.99997 to fp32), while a single short
text (a question) is fastest with int8 ONNX. Without AMX, bf16 is emulated and slower than fp32,
so such a CPU keeps int8 ONNX, today's default, for everything: a wrong guess must never make a
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
    """The embedding runtime for `workload` on `cpu`: bf16 PyTorch for batches where AMX runs
    bf16 natively, int8 ONNX everywhere else (and for single questions on every CPU)."""
    if workload == "bulk" and cpu.has_amx_bf16:
        return BULK_BF16
    return SAFE_BACKEND
