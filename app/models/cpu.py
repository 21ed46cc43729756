"""Which runtime runs the model on this CPU, for each workload, from the CPU's own flags.

Measured (BENCHMARKS.md, "Embedding runtime by CPU"): on a CPU with AMX, bf16 embeds batches
2.4 to 2.8 times faster than fp32 (cosine 0.99997 to fp32), with OpenVINO or PyTorch; a single
question takes 3.8 ms in int8 ONNX and 5.6 ms in fp32 ONNX, and PyTorch's per-call overhead
makes it the slowest for one text. A CPU with AVX512-BF16 but no AMX (a Zen 4 EPYC here) runs
bf16 natively too, more slowly: 1.9 times fp32 with PyTorch, 2.3 times with OpenVINO. Without
either, bf16 is emulated and slower than fp32, so such a CPU keeps int8 ONNX, the default before
this choice, for everything: a wrong guess must never make a machine slower than it was.
`DOCQA_BACKEND` overrides the choice.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

Workload = Literal["bulk", "query"]
SAFE_BACKEND = "onnx-int8"  # fastest for one text everywhere, and the default before choosing
BULK_BF16 = "torch-bf16"
QUERY_FP32 = "onnx"  # 5.6 ms a question against int8's 3.8, and it holds up under load
BULK_OPENVINO = "openvino"
READER_INT8 = "onnx-int8"  # the reader's fused int8 form (app.models.onnx_export)
AMX_FLAGS = frozenset({"amx_bf16", "amx_tile"})  # tiles and their bf16 instructions
AVX512_BF16 = "avx512_bf16"  # bf16 dot products in vector registers (Cooper Lake, Zen 4 and on)
AVX2 = "avx2"  # 256-bit integer and fused multiply-add vectors (Haswell, Zen and on)


@dataclass(frozen=True)
class Cpu:
    model: str
    flags: frozenset[str]

    @property
    def has_amx_bf16(self) -> bool:
        return self.flags >= AMX_FLAGS

    @property
    def has_native_bf16(self) -> bool:
        """bf16 products in hardware, by AMX tiles or by AVX512-BF16; elsewhere they are
        emulated, slower than fp32."""
        return self.has_amx_bf16 or AVX512_BF16 in self.flags


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


def openvino_installed() -> bool:
    """Whether OpenVINO can be imported (it comes with rapidocr-openvino on x86-64 and arm64)."""
    return importlib.util.find_spec("openvino") is not None


def require_openvino() -> None:
    """A clear ValueError, saying how to get it, where OpenVINO is asked for and missing."""
    if not openvino_installed():
        raise ValueError(
            "OpenVINO is not installed: `pip install openvino`, or choose another runtime"
        )


def choose_backend(cpu: Cpu, workload: Workload, openvino: bool) -> str:
    """The embedding runtime for `workload` on `cpu`, `openvino` saying whether OpenVINO is
    installed. Where bf16 is native, batches run in bf16 and questions in fp32 ONNX; int8 ONNX
    runs both everywhere else. Batches run on OpenVINO's bf16, or PyTorch's without OpenVINO,
    measured in one run per CPU (BENCHMARKS.md):
    - AMX: `docqa ingest` of 2,000 SciFact abstracts in 45.5-50.8 s with OpenVINO against
      52.2-56.1 s with PyTorch's bf16 autocast (its embedding stage 41.1 against 47.1 s), and
      of 300 in 7.3 s against 12.1 s, PyTorch's start-up included; texts of one length in
      batches of 16, 94.5 against 102.8 texts/s (int8 ONNX 30.4);
    - AVX512-BF16 alone: 46.6 texts/s with OpenVINO, 37.8 with PyTorch's bf16, 30.8 int8 ONNX.

    Questions and passages must carry the same rounding: SciFact dense nDCG@10 fell 0.0065 below
    fp32 with bf16 passages and int8 questions, but only 0.0030 with int8 on both sides, and
    bf16 passages with fp32 questions stay within 0.0023 of fp32 everywhere (BENCHMARKS.md)."""
    if not cpu.has_native_bf16:
        return SAFE_BACKEND
    if workload == "query":
        return QUERY_FP32
    return BULK_OPENVINO if openvino else BULK_BF16


def choose_reader_runtime(cpu: Cpu, openvino: bool) -> str:
    """The reader's runtime on `cpu`, `openvino` saying whether OpenVINO is installed: where bf16
    is native, OpenVINO (it runs bf16 there by itself), or PyTorch's bf16 with AMX when
    OpenVINO is missing; on AVX2 alone, int8 ONNX (fused; app.models.onnx_export); fp32 ONNX
    on every core elsewhere. Five passages read (BENCHMARKS.md, "Reader runtime by CPU"):
    - AMX: OpenVINO 59 ms, PyTorch's bf16 autocast 118 ms;
    - AVX512-BF16 alone (Zen 4 EPYC): OpenVINO 124 ms, fp32 ONNX 215, PyTorch's bf16 241;
    - AVX2 alone (Zen 3 EPYC): int8 ONNX 126 ms, OpenVINO (fp32) 171, fp32 ONNX 160, with
      validation EM / F1 0.660 / 0.780 against fp32's 0.656 / 0.780 (one run, 2026-12-05);
    fp32 ONNX was 333 ms against 563 ms for PyTorch's one thread on a Zen 2. Validation F1
    stays within 0.002 of fp32 everywhere. int8 was not measured where bf16 is native, nor
    anything on a CPU without AVX2, so nothing is guessed there."""
    if cpu.has_native_bf16:
        if openvino:
            return "openvino"
        return BULK_BF16 if cpu.has_amx_bf16 else QUERY_FP32
    return READER_INT8 if AVX2 in cpu.flags else QUERY_FP32


def reader_least_fill(cpu: Cpu) -> float:
    """How full the reader's padded batches must be (app.models.reader.length_groups): with AMX,
    0, one batch for every window of a read (five passages in 55 ms against 70 ms grouped,
    OpenVINO's bf16; its tiles waste less on padding than a second call costs); elsewhere 0.9,
    windows within 10% of their batch's longest (198 ms against 264 ms in one batch, OpenVINO
    in fp32 on a Zen 3). `scripts/bench_reader.py --fills` measures both."""
    return 0.0 if cpu.has_amx_bf16 else 0.9
