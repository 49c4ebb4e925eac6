"""What a benchmark does first and last: note the load average and the host's speed, write the report."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

# The host's speed moves by more than a target's margin from one hour to the next (the same int8
# encode took 1.41 ms in one hour of session 7 and 2.03 ms in the next), so every report carries
# the time of one fixed piece of work, measured as it starts and as it ends: figures from two
# reports compare only as far as their references agree.
REFERENCE = "six 16×384 → 1536 → 384 float32 feed-forward products (an encoder's shape), one BLAS thread"

# The machine is not always the same CPU either: session 7 ran on an Intel Xeon with AMX, session 8
# on an AMD EPYC without it, where the float32 reference ran ~40 % faster and the int8 encode ~40 %
# slower. The reference alone cannot tell those apart, so reports name the CPU and the instruction
# sets the int8 and float32 kernels choose between.
CPU_FEATURES = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_int8", "amx_bf16")


def cpu() -> dict[str, Any]:
    """The CPU's name, family/model numbers and which of `CPU_FEATURES` it has (Linux /proc/cpuinfo).

    The numbers matter where a hypervisor shows only a brand ("AMD EPYC": family 25 model 17 is a
    Genoa); the first processor's lines are read, the others are the same.
    """
    fields: dict[str, str] = {}
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        info = ""
    for line in info.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    flags = set(fields.get("flags", "").split())
    return {
        "model": fields.get("model name") or platform.processor() or platform.machine(),
        "family_model": f"{fields.get('cpu family', '?')}/{fields.get('model', '?')}",
        "features": [f for f in CPU_FEATURES if f in flags],
    }


def host_reference(*, repeats: int = 60) -> dict[str, Any]:
    """The median milliseconds of `REFERENCE`, on one thread, over `repeats` runs."""
    rng = np.random.default_rng(0)
    tokens = rng.standard_normal((16, 384), dtype=np.float32)
    up = rng.standard_normal((384, 1536), dtype=np.float32) / 20
    down = rng.standard_normal((1536, 384), dtype=np.float32) / 40
    times = []
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(repeats):
            started = time.perf_counter()
            hidden = tokens
            for _layer in range(6):
                hidden = np.tanh(hidden @ up) @ down
            times.append(time.perf_counter() - started)
    return {"what": REFERENCE, "median_ms": round(float(np.median(times)) * 1000, 3)}


ENCODER_QUESTION = "How do Japan and the United States share intelligence?"


def encoder_reference(*, cache_dir: Path = Path("var/cache/onnx"), repeats: int = 60) -> dict[str, Any]:
    """The median milliseconds of one int8 question encode (`ENCODER_QUESTION`), one thread.

    The float32 reference above did not follow the int8 encoder in session 8: on one host, within
    an hour, the reference stayed at 3.2-3.5 ms while the same encode took 1.6 or 2.3 ms. This one
    times the service's own first step; it moves when the encoder's code or export changes, too.
    """
    from index import load_embedder  # the project, only when a benchmark asks

    embedder = load_embedder("onnx-int8", cache_dir=cache_dir, threads=1)
    embedder.encode_queries([ENCODER_QUESTION])  # warm-up: first-run allocations
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        embedder.encode_queries([ENCODER_QUESTION])
        times.append(time.perf_counter() - started)
    what = f"int8 encode of {ENCODER_QUESTION!r}, one ONNX Runtime thread"
    return {"what": what, "median_ms": round(float(np.median(times)) * 1000, 3)}


def machine_at_start() -> dict[str, Any]:
    """The `report["machine"]` a benchmark starts with: CPU, cores, load average, both references."""
    return {
        "cpu": cpu(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "reference_at_start": host_reference(),
        "encoder_at_start": encoder_reference(),
    }


def save_report(report: dict[str, Any], out: Path) -> None:
    """Record the load average and both references at the end in `report["machine"]`, write, print."""
    machine = report["machine"]
    machine["load_average_at_end"] = os.getloadavg()
    machine["reference_at_end"] = host_reference()
    machine["encoder_at_end"] = encoder_reference()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if "cpu" in machine:
        chip = machine["cpu"]
        print(f"cpu {chip['model']} (family/model {chip['family_model']}; {', '.join(chip['features'])})")
    print(f"load average {machine['load_average_at_start']} → {machine['load_average_at_end']}")
    if "reference_at_start" in machine:
        print(
            f"host reference {machine['reference_at_start']['median_ms']} → "
            f"{machine['reference_at_end']['median_ms']} ms ({REFERENCE})"
        )
    if "encoder_at_start" in machine:
        print(
            f"encoder reference {machine['encoder_at_start']['median_ms']} → "
            f"{machine['encoder_at_end']['median_ms']} ms ({machine['encoder_at_end']['what']})"
        )
    print(f"wrote {out}", file=sys.stderr)
