"""The runtime choice, with the CPU's flags as its input: never slower than int8 ONNX by guess."""

import pytest

from app.models.cpu import (
    Cpu,
    choose_backend,
    choose_reader_runtime,
    parse_cpuinfo,
    reader_least_fill,
)
from app.models.embedder import load_embedder, resolve_backend

SAPPHIRE_RAPIDS = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8
processor\t: 1
model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8
"""
ZEN2 = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu sse2 fma avx avx2 bmi2 sha_ni
"""
ZEN3 = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2 sha_ni vaes vpclmulqdq
"""
OLDER_X86 = "model name\t: Intel Xeon\nflags\t\t: fpu sse2 ssse3 sse4_1 sse4_2 avx\n"
COOPER_LAKE = "model name\t: Intel Xeon\nflags\t\t: avx2 avx512f avx512_vnni avx512_bf16\n"
ZEN4 = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu sse2 fma avx avx2 avx512f avx512bw avx512_bf16 avx512vbmi avx512_vnni
"""


def test_cpuinfo_gives_the_model_and_flags_of_the_first_processor():
    cpu = parse_cpuinfo(SAPPHIRE_RAPIDS)
    assert cpu.model.startswith("Intel(R) Xeon(R) Platinum 8481C")
    assert {"amx_bf16", "amx_tile", "avx512_vnni"} <= cpu.flags
    assert cpu.has_amx_bf16


def test_amx_runs_bulk_embedding_in_bf16_and_questions_in_fp32():
    """Passages in bf16 (as close to fp32 as makes no difference) and questions in fp32 ONNX:
    int8 questions against bf16 passages lost dense retrieval quality. OpenVINO's bf16 ingests
    faster than PyTorch's, which it skips loading; PyTorch's where OpenVINO is missing."""
    cpu = parse_cpuinfo(SAPPHIRE_RAPIDS)
    assert choose_backend(cpu, "bulk", openvino=True) == "openvino"
    assert choose_backend(cpu, "bulk", openvino=False) == "torch-bf16"
    for openvino in (True, False):
        assert choose_backend(cpu, "query", openvino) == "onnx"


@pytest.mark.parametrize("cpuinfo", [ZEN4, COOPER_LAKE])
def test_avx512_bf16_without_amx_embeds_batches_in_bf16_and_questions_in_fp32(cpuinfo):
    """bf16 is native there too, if slower than with AMX: OpenVINO's bf16 batches were 1.51x
    int8 ONNX's on a Zen 4 EPYC, PyTorch's 1.23x; questions stay fp32, as with AMX."""
    cpu = parse_cpuinfo(cpuinfo)
    assert cpu.has_native_bf16 and not cpu.has_amx_bf16
    assert choose_backend(cpu, "bulk", openvino=True) == "openvino"
    assert choose_backend(cpu, "bulk", openvino=False) == "torch-bf16"
    assert choose_backend(cpu, "query", openvino=True) == "onnx"


@pytest.mark.parametrize("cpuinfo", [ZEN2, ZEN3, OLDER_X86, "", "garbage without colons"])
def test_without_native_bf16_every_workload_keeps_int8_onnx(cpuinfo):
    """bf16 is emulated there, slower than fp32: keep the default, the fastest for one text."""
    cpu = parse_cpuinfo(cpuinfo)
    assert not cpu.has_native_bf16
    for openvino in (True, False):
        chosen = {choose_backend(cpu, "bulk", openvino), choose_backend(cpu, "query", openvino)}
        assert chosen == {"onnx-int8"}


@pytest.mark.parametrize("cpuinfo", [ZEN2, ZEN3])
def test_avx2_without_native_bf16_reads_with_int8_onnx(cpuinfo):
    """On a Zen 3 EPYC the fused int8 reader read five passages in 126 ms against OpenVINO's
    171 (fp32 there) and fp32 ONNX's 160, with the same validation F1; it needs no OpenVINO."""
    for openvino in (True, False):
        assert choose_reader_runtime(parse_cpuinfo(cpuinfo), openvino) == "onnx-int8"


@pytest.mark.parametrize("cpuinfo", [OLDER_X86, "", "garbage without colons"])
def test_a_cpu_not_measured_reads_with_fp32_onnx(cpuinfo):
    """Without AVX2, or with no flags to read, nothing is guessed: fp32 ONNX gives PyTorch's
    numbers and is never slower than the PyTorch default."""
    for openvino in (True, False):
        assert choose_reader_runtime(parse_cpuinfo(cpuinfo), openvino) == "onnx"


def test_amx_runs_the_reader_in_bf16_with_openvino_where_it_is_installed():
    assert choose_reader_runtime(parse_cpuinfo(SAPPHIRE_RAPIDS), openvino=True) == "openvino"
    assert choose_reader_runtime(parse_cpuinfo(SAPPHIRE_RAPIDS), openvino=False) == "torch-bf16"


@pytest.mark.parametrize("cpuinfo", [ZEN4, COOPER_LAKE])
def test_avx512_bf16_runs_the_reader_with_openvino_or_else_fp32_onnx(cpuinfo):
    """On a Zen 4 EPYC, OpenVINO's bf16 read five passages in 124 ms, fp32 ONNX in 215 and
    PyTorch's bf16 in 241: without OpenVINO, fp32 ONNX, not PyTorch."""
    assert choose_reader_runtime(parse_cpuinfo(cpuinfo), openvino=True) == "openvino"
    assert choose_reader_runtime(parse_cpuinfo(cpuinfo), openvino=False) == "onnx"


def test_amx_reads_in_one_batch_and_every_other_cpu_in_batches_of_one_length():
    """One padded batch: 55 ms for five passages with AMX against 70 ms grouped; 264 against
    198 ms on a Zen 3, where padding costs full price."""
    assert reader_least_fill(parse_cpuinfo(SAPPHIRE_RAPIDS)) == 0.0
    for cpuinfo in (ZEN2, ZEN3, ZEN4, COOPER_LAKE, OLDER_X86, ""):
        assert reader_least_fill(parse_cpuinfo(cpuinfo)) == 0.9


def test_amx_int8_alone_is_not_taken_for_bf16():
    cpu = Cpu("x", frozenset({"amx_int8", "amx_tile"}))
    assert choose_backend(cpu, "bulk", openvino=True) == "onnx-int8"


def test_an_explicit_backend_overrides_the_choice():
    assert resolve_backend("torch", "bulk") == "torch"
    assert resolve_backend("onnx", "query") == "onnx"
    with pytest.raises(ValueError, match="choose from auto, onnx-int8"):
        resolve_backend("tensorrt", "bulk")


def test_auto_resolves_to_a_concrete_runtime_on_this_machine():
    bulk = load_embedder(backend="auto", workload="bulk").backend
    assert bulk in ("onnx-int8", "torch-bf16", "openvino")
    assert load_embedder(backend="auto", workload="query").backend in ("onnx-int8", "onnx")


def test_openvino_asked_for_where_it_is_missing_is_a_clear_error(monkeypatch):
    from app.models import cpu, embedder
    from app.models.reader import resolve_runtime

    monkeypatch.setattr(cpu, "openvino_installed", lambda: False)
    monkeypatch.setattr(embedder, "openvino_installed", lambda: False)
    with pytest.raises(ValueError, match="OpenVINO is not installed"):
        load_embedder(backend="openvino")
    with pytest.raises(ValueError, match="OpenVINO is not installed"):
        resolve_runtime("openvino")
    assert resolve_backend("auto", "bulk") != "openvino"
    assert resolve_runtime("auto") != "openvino"
