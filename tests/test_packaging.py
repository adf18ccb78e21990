"""A clean package: ``python -m build`` gives a wheel and an sdist, and the wheel
installed ALONE into a fresh virtual environment imports and runs every public
function.  The optional parts say which extra they need.

Offline, like the rest of the suite: the build runs without isolation (setuptools
and wheel of this environment), and the fresh venv sees only the declared
dependencies, numpy and scipy, linked from this environment; pip installs the
wheel with ``--no-index``, so a missing or undeclared dependency fails the test.

Slow (a build and a venv, about 20-60 s); it runs in the default suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from project_scripts import load as load_script

import klnotes

ROOT = Path(__file__).resolve().parents[1]
# the declared dependencies (pyproject.toml), and nothing else
DEPENDENCIES = ("numpy", "scipy")

fresh_env = load_script("fresh_env")

# Runs every call of the shared table tests/public_calls.py (one per name in
# klnotes.__all__) in the bare environment, and a few of the extras.
SMOKE = textwrap.dedent(
    """
    import importlib.metadata, math
    import numpy as np
    import klnotes
    from klnotes import estimators
    from klnotes.models import ppo, vae

    import runpy, sys
    calls = runpy.run_path(sys.argv[1])["CALLS"]  # tests/public_calls.py
    assert sorted(calls) == sorted(klnotes.__all__), sorted(klnotes.__all__)
    for name, call in calls.items():
        result = call()
        for part in result if isinstance(result, tuple) else (result,):
            value = np.asarray(part, dtype=float)
            assert np.all(np.isfinite(value)), (name, value)
            assert np.all(value >= 0.0) or name == "mixture_logpdf", name
    p = [0.5, 0.25, 0.25]
    h = float(klnotes.entropy(p, base=2))
    assert math.isclose(h, 1.5, rel_tol=1e-15), h
    mi = float(klnotes.mutual_information([[0.5, 0], [0, 0.5]], base=2))
    assert math.isclose(mi, 1.0, rel_tol=1e-15), mi
    assert estimators.k3([0.0])[0] == 0.0
    assert estimators.k1([0.5])[0] == -0.5 and estimators.k2([0.5])[0] == 0.125
    assert ppo.adapt_beta(1.0, kl=0.1, kl_target=0.01) == 2.0
    rng = np.random.default_rng(0)
    params = vae.init_params(rng, 3, 4, 2)
    hist = vae.train(params, rng.normal(size=(20, 3)), rng=rng, epochs=1,
                     batch_size=10)
    assert hist["loss"].shape == (1,)
    assert klnotes.__version__ == importlib.metadata.version("klnotes")
    try:
        import klnotes.testing
    except ImportError as exc:
        assert 'klnotes[testing]' in str(exc), exc
    else:
        raise AssertionError("klnotes.testing imported without mpmath")
    print("ok", klnotes.__version__)
    """
)


@pytest.mark.slow
def test_wheel_installs_alone_and_every_public_function_runs(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheels = list(dist.glob("klnotes-*.whl"))
    sdists = list(dist.glob("klnotes-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list(dist.iterdir())
    assert wheels[0].name.startswith(f"klnotes-{klnotes.__version__}-")

    python, _ = fresh_env.new_venv(
        tmp_path,
        see=lambda name: (
            name.startswith(DEPENDENCIES) and not name.startswith("numpydoc")
        ),
    )
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            str(wheels[0]),
        ],
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        check=True,
        capture_output=True,
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [str(python), "-c", SMOKE, str(ROOT / "tests" / "public_calls.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the checkout: import the installed wheel
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"ok {klnotes.__version__}"
