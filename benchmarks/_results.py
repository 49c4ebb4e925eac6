"""What a benchmark does first and last: note the load average and the host's speed, write the report."""

from __future__ import annotations

import json
import os
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


def machine_at_start() -> dict[str, Any]:
    """The `report["machine"]` a benchmark starts with: cores, load average and the host reference."""
    return {
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "reference_at_start": host_reference(),
    }


def save_report(report: dict[str, Any], out: Path) -> None:
    """Record the load average and host reference at the end in `report["machine"]`, write, print."""
    machine = report["machine"]
    machine["load_average_at_end"] = os.getloadavg()
    machine["reference_at_end"] = host_reference()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"load average {machine['load_average_at_start']} → {machine['load_average_at_end']}")
    if "reference_at_start" in machine:
        print(
            f"host reference {machine['reference_at_start']['median_ms']} → "
            f"{machine['reference_at_end']['median_ms']} ms ({REFERENCE})"
        )
    print(f"wrote {out}", file=sys.stderr)
