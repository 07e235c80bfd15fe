"""Run every benchmark module (bench/bench_*.py) and print its report.

Each module exposes `main()`; figures are ratios against a baseline measured in the same run,
never absolute timings asserted anywhere. `python bench/run.py [name ...]` runs a subset.
Environment: SHELTER_BENCH_SIZE etc. shrink the workloads for a quick run (see each module).
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelter.settings_test")
    import django

    django.setup()
    names = argv or sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    failures = 0
    for name in names:
        module_name = name if name.startswith("bench_") else f"bench_{name}"
        print(f"\n=== {module_name} ===", flush=True)
        started = time.perf_counter()
        try:
            importlib.import_module(module_name).main()
        except Exception as exc:  # report and carry on with the other benchmarks
            failures += 1
            print(f"FAILED: {type(exc).__name__}: {exc}", flush=True)
        print(f"({time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
