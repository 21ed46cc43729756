"""What a benchmark report says about the machine: the CPU and its flags, the libraries, and
how busy the machine was before and after (load average, and the other processes using the
CPU), since these machines are shared and noisy."""

from __future__ import annotations

import os
import platform
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path

from app.models.cpu import this_cpu

FLAGS = ("amx_bf16", "amx_tile", "amx_int8", "avx512f", "avx512_vnni", "avx512_bf16")
LIBRARIES = ("torch", "onnxruntime", "openvino", "nncf", "sentence-transformers", "transformers")


def threads() -> int:
    return len(os.sched_getaffinity(0))


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_lines(load_before: tuple, load_after: tuple, busy: tuple) -> list[str]:
    import torch

    cpu = this_cpu()
    flags = ", ".join(f"{flag} {'yes' if flag in cpu.flags else 'no'}" for flag in FLAGS)
    libraries = ", ".join(f"{name} {version(name)}" for name in LIBRARIES)
    return [
        f"- date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- CPU: {cpu.model}; {os.cpu_count()} logical cores, {threads()} usable by this "
        f"process; {platform.machine()}, Python {platform.python_version()}",
        f"- flags: {flags}",
        f"- load average (1/5/15 min): before {fmt_load(load_before)}, "
        f"after {fmt_load(load_after)}",
        f"- other processes using the CPU (over 1 s) before: {busy[0]}; after: {busy[1]}",
        f"- libraries: {libraries}; torch threads {torch.get_num_threads()}, onnxruntime and "
        f"OpenVINO threads {threads()}",
    ]


def busy_processes(seconds: float = 1.0, least: float = 10.0) -> str:
    """Other processes using at least `least` % of a core over `seconds`: what shares the CPU."""

    def sample() -> dict[int, tuple[int, int]]:  # pid -> (CPU ticks so far, nice)
        found = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            found[int(stat.parent.name)] = (int(fields[11]) + int(fields[12]), int(fields[16]))
        return found

    before = sample()
    time.sleep(seconds)
    after = sample()
    busy = []
    for pid, (ticks, nice) in after.items():
        share = (ticks - before.get(pid, (ticks, 0))[0]) / os.sysconf("SC_CLK_TCK") / seconds
        if pid != os.getpid() and share * 100 >= least:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                command = "?"
            busy.append(f"pid {pid} (nice {nice}, {share:.0%} of a core) `{command.strip()[:90]}`")
    return "; ".join(busy) or "none"


def fmt_load(load: tuple) -> str:
    return " / ".join(f"{value:.2f}" for value in load)
