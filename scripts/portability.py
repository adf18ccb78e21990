"""Re-run the chapters under other floating-point "machines"; list fragile cells.

NumPy dispatches SIMD kernels for exp/log per CPU, and OpenBLAS picks kernels and
summation order per CPU model and thread count. This runs nbval (the project's
pytest configuration) once per variant: ``no-simd`` (NPY_DISABLE_CPU_FEATURES =
every dispatched SIMD group), ``blas-generic`` (the baseline OpenBLAS kernel, one
thread), ``blas-other`` (another kernel family, two threads) and ``as-is`` (unless
``--skip-as-is``), and prints each failing cell's variants. Exit 0 iff none failed:

    .venv/bin/python scripts/portability.py [--skip-as-is] [targets, default: book]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from collections import defaultdict

# OpenBLAS kernel families to force, per architecture: (baseline, another family)
CORETYPES = {
    "x86_64": ("Prescott", "Sandybridge"),
    "aarch64": ("ARMV8", "NEOVERSEN1"),
}


def dispatched_simd(python: str) -> list[str]:
    """The SIMD feature groups NumPy dispatches to on this CPU (empty if unknown)."""
    code = (
        "from numpy._core._multiarray_umath import __cpu_dispatch__ as d, "
        "__cpu_features__ as f; print(' '.join(x for x in d if f.get(x)))"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True)
    return out.stdout.split()


def variants(python: str, skip_as_is: bool) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {} if skip_as_is else {"as-is": {}}
    simd = dispatched_simd(python)
    if simd:
        found["no-simd"] = {"NPY_DISABLE_CPU_FEATURES": " ".join(simd)}
    base, other = CORETYPES.get(platform.machine(), (None, None))
    if base:
        found["blas-generic"] = {
            "OPENBLAS_CORETYPE": base,
            "OPENBLAS_NUM_THREADS": "1",
        }
        found["blas-other"] = {
            "OPENBLAS_CORETYPE": other,
            "OPENBLAS_NUM_THREADS": "2",
        }
    return found


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--skip-as-is", action="store_true")
    ap.add_argument("targets", nargs="*", default=["book"])
    args = ap.parse_args(argv)
    fragile: dict[str, list[str]] = defaultdict(list)
    found = variants(args.python, args.skip_as_is)
    for name, extra in found.items():
        start = time.perf_counter()
        cmd = [args.python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        env = {**os.environ, **extra}
        out = subprocess.run(
            cmd + args.targets, env=env, capture_output=True, text=True
        )
        failed = re.findall(
            r"^FAILED (.+?)(?: - .*)?$", out.stdout, flags=re.M
        )
        summary = (out.stdout.strip().splitlines() or ["(no output)"])[-1]
        setting = (
            " ".join(f"{k}={v}" for k, v in extra.items()) or "(unchanged)"
        )
        seconds = time.perf_counter() - start
        print(
            f"{name:13s} {len(failed):3d} failed {seconds:6.1f} s  {setting}"
        )
        print(f"{'':13s} {summary}", flush=True)
        if out.returncode not in (0, 1) or "passed" not in summary:
            print(out.stdout[-3000:], out.stderr[-3000:], sep="\n")
            return 2
        for test in failed:
            fragile[test].append(name)
    for test, names in sorted(fragile.items()):
        print(f"  fragile: {test}  ({', '.join(names)})")
    print(
        f"portability: {len(fragile)} fragile cells over {len(found)} variants"
    )
    return 1 if fragile else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
