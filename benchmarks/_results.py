"""What a benchmark does last: note the load average, write its JSON report, say where it went."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def save_report(report: dict[str, Any], out: Path) -> None:
    """Record the load average at the end in `report["machine"]`, write `report` to `out`, print both."""
    machine = report["machine"]
    machine["load_average_at_end"] = os.getloadavg()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"load average {machine['load_average_at_start']} → {machine['load_average_at_end']}")
    print(f"wrote {out}", file=sys.stderr)
