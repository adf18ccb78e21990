"""Re-run the chapters under other floating-point "machines"; list fragile cells.

NumPy dispatches SIMD kernels for exp/log per CPU; OpenBLAS picks kernels and
summation order per CPU model and thread count. This runs nbval (the project's
pytest configuration) once per variant: ``no-simd`` (each dispatched SIMD
group disabled), ``blas-generic`` (the baseline OpenBLAS kernel, one thread),
``blas-other`` (another kernel family, two threads) and ``as-is``. Exit 0 iff
no cell failed:

    .venv/bin/python scripts/portability.py [--skip-as-is] [targets, default: book]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
from collections import defaultdict

# OpenBLAS kernel families to force, per architecture: (baseline, another family)
CORETYPES = {
    "x86_64": ("Prescott", "Sandybridge"),
    "aarch64": ("ARMV8", "NEOVERSEN1"),
}
SIMD = (
    "from numpy._core._multiarray_umath import __cpu_dispatch__ as d, "
    "__cpu_features__ as f; print(' '.join(x for x in d if f.get(x)))"
)


def variants(python: str, skip_as_is: bool) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {} if skip_as_is else {"as-is": {}}
    out = subprocess.run([python, "-c", SIMD], capture_output=True, text=True)
    if simd := out.stdout.strip():  # the SIMD groups NumPy dispatches to here
        found["no-simd"] = {"NPY_DISABLE_CPU_FEATURES": simd}
    if blas := CORETYPES.get(platform.machine()):
        for name, core, threads in zip(
            ("generic", "other"), blas, "12", strict=True
        ):
            found[f"blas-{name}"] = {
                "OPENBLAS_CORETYPE": core,
                "OPENBLAS_NUM_THREADS": threads,
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
        cmd = [args.python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        env = {**os.environ, **extra}
        out = subprocess.run(
            cmd + args.targets, env=env, capture_output=True, text=True
        )
        summary = (out.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"{name:13s} {summary}  {extra or ''}", flush=True)
        if out.returncode not in (0, 1) or "passed" not in summary:
            print(out.stdout[-3000:], out.stderr[-3000:], sep="\n")
            return 2
        for test in re.findall(r"^FAILED (.+?)(?: - .*)?$", out.stdout, re.M):
            fragile[test].append(name)
    for test, names in sorted(fragile.items()):
        print(f"  fragile: {test}  ({', '.join(names)})")
    print(
        f"portability: {len(fragile)} fragile cells over {len(found)} variants"
    )
    return 1 if fragile else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
