"""Speed of klnotes relative to the naive NumPy formulas, measured side by side.

For 10^6 outcomes it times, in one run, ``kl_discrete`` against
``np.sum(p * np.log(p / q))`` and against ``scipy.special.rel_entr(p, q).sum()``
(the peer a user would pick; it loses every digit for nearly equal p and q),
and ``kl_logits`` against the naive log-softmax formula, and prints the ratio
of the best times, measured three ways:

* interleaved: klnotes, naive, klnotes, naive, ... (both see the same machine state);
* in separate loops: all klnotes runs, then all naive runs;
* interleaved again, in CPU time of this process (``time.process_time``),
  which other processes on a busy shared machine disturb much less than
  wall time.

The wall times disagree, and both are printed because neither is "the" answer: the
naive formula allocates several 8 MB temporaries per call, and whether their pages
are already mapped depends on what ran just before (interleaved, the other function
has just used or released memory; in its own loop it reuses its own). Real callers
see something in between. What a row leaves behind matters too: glibc's allocator
raises its mmap and trim thresholds with the largest block freed so far and keeps or
returns pages accordingly, so the same call can fault thousands of pages in one
process state and none in another. The last columns print the minor page faults
per call (median) so that this is seen. ``--fresh`` runs each row in a fresh
Python process instead (the same numbers, from a fixed seed), so that no row
depends on the rows before it.

The last row times ``kl_logits`` on a batch of small inputs (1000 rows of 10
logits) against the naive formula row by row, where the per-call overhead of
klnotes' block-by-block code would show. Validation of the inputs is included in
klnotes' time: that is what a caller pays. Run from the repository root:
``python benchmarks/speed.py``.

Targets from the project, on ordinary nearly equal inputs (5 % relative
perturbations; the TARGET rows) as well as on the other cases:
``kl_discrete`` <= 1.5 x ``rel_entr(p, q).sum()`` and ``kl_logits`` <= 1.3 x
the naive log-softmax formula. ``REPEATS=5 python benchmarks/speed.py`` for
a quicker run; ``python benchmarks/speed.py --fresh`` for one process per row.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
from scipy import special

import klnotes

N = 10**6
REPEATS = int(os.environ.get("REPEATS", "15"))


def naive_discrete(p, q):
    return np.sum(p * np.log(p / q))


def scipy_rel_entr(p, q):
    """The peer a user would pick: scipy.special.rel_entr(p, q).sum()."""
    return special.rel_entr(p, q).sum()


def naive_logits(a, b):
    lp, lq = special.log_softmax(a), special.log_softmax(b)
    return np.sum(np.exp(lp) * (lp - lq))


def naive_logits_rows(a, b):
    """The naive formula row by row, for a batch of logit vectors."""
    lp, lq = special.log_softmax(a, axis=-1), special.log_softmax(b, axis=-1)
    return np.sum(np.exp(lp) * (lp - lq), axis=-1)


def interleaved(f, g, args, repeats, clock):
    """What ``clock`` counts during each call of f(*args) and g(*args),
    called in turn ``repeats`` times: two lists."""
    tf, tg = [], []
    for _ in range(repeats):
        t0 = clock()
        f(*args)
        t1 = clock()
        g(*args)
        t2 = clock()
        tf.append(t1 - t0)
        tg.append(t2 - t1)
    return tf, tg


def best_times(f, g, args, repeats=REPEATS, clock=time.perf_counter):
    """Best-of-``repeats`` times of f(*args) and g(*args), interleaved."""
    tf, tg = interleaved(f, g, args, repeats, clock)
    return min(tf), min(tg)


def separate_times(f, g, args, repeats=REPEATS):
    """Best-of-``repeats`` wall times of f(*args) and g(*args), each in its own loop."""

    def best(fn):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn(*args)
            times.append(time.perf_counter() - t0)
        return min(times)

    return best(f), best(g)


def cases() -> list[tuple[str, object, object, tuple]]:
    """The rows of the table: label, klnotes function, peer, arguments
    (the same numbers in every process: a fixed seed)."""
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(N))
    q_far = rng.dirichlet(np.ones(N))
    q_near = p * (1.0 + 1e-6 * rng.standard_normal(N))
    q_near /= q_near.sum()
    # ordinary nearly equal inputs: 5 % relative perturbations
    q_5 = np.abs(p * (1.0 + 0.05 * rng.standard_normal(N)))
    q_5 /= q_5.sum()
    a = rng.normal(0.0, 3.0, N)
    b_far = rng.normal(0.0, 3.0, N)
    b_near = a + 1e-6 * rng.standard_normal(N)
    b_5 = a + 0.05 * rng.standard_normal(N)
    # small inputs: a batch of short rows (a policy over 10 actions in 1000 states)
    a_rows = rng.normal(0.0, 3.0, (1000, 10))
    b_rows = a_rows + 0.05 * rng.standard_normal(a_rows.shape)
    rows = [
        (
            "TARGET vs rel_entr, 5 % perturbed",
            klnotes.kl_discrete,
            scipy_rel_entr,
            (p, q_5),
        ),
        (
            "TARGET kl_logits, 5 % perturbed",
            klnotes.kl_logits,
            naive_logits,
            (a, b_5),
        ),
        (
            "kl_discrete, unrelated p and q",
            klnotes.kl_discrete,
            naive_discrete,
            (p, q_far),
        ),
        (
            "kl_discrete, q within 1e-6 of p",
            klnotes.kl_discrete,
            naive_discrete,
            (p, q_near),
        ),
        (
            "vs rel_entr(p, q).sum(), unrelated",
            klnotes.kl_discrete,
            scipy_rel_entr,
            (p, q_far),
        ),
        (
            "vs rel_entr(p, q).sum(), within 1e-6",
            klnotes.kl_discrete,
            scipy_rel_entr,
            (p, q_near),
        ),
        (
            "kl_logits, unrelated logits",
            klnotes.kl_logits,
            naive_logits,
            (a, b_far),
        ),
        (
            "kl_logits, logits within 1e-6",
            klnotes.kl_logits,
            naive_logits,
            (a, b_near),
        ),
        (
            "kl_logits, 1000 rows of 10, 5 %",
            klnotes.kl_logits,
            naive_logits_rows,
            (a_rows, b_rows),
        ),
    ]
    return rows


def faults_per_call(f, g, args, repeats=5):
    """Median minor page faults of one call of f(*args) and of g(*args),
    interleaved (Unix: ``resource``; None elsewhere)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return None, None

    def count():
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt

    ff, fg = interleaved(f, g, args, repeats, count)
    return sorted(ff)[repeats // 2], sorted(fg)[repeats // 2]


def measure(label, ours, naive, args) -> None:
    """Time one row and print its line of the table."""
    t_ours, t_naive = best_times(ours, naive, args)
    s_ours, s_naive = separate_times(ours, naive, args)
    c_ours, c_naive = best_times(ours, naive, args, clock=time.process_time)
    f_ours, f_naive = faults_per_call(ours, naive, args)
    print(
        f"{label:36s} {t_ours * 1e3:11.3f} {t_naive * 1e3:9.3f} {t_ours / t_naive:6.2f}"
        f"   {s_ours * 1e3:11.3f} {s_naive * 1e3:9.3f} {s_ours / s_naive:6.2f}"
        f"   {c_ours * 1e3:8.3f} {c_naive * 1e3:7.3f} {c_ours / c_naive:6.2f}"
        f"   {f_ours!s:>7s} {f_naive!s:>6s}",
        flush=True,
    )


def main(fresh: bool = False) -> None:
    print(
        f"n = {N:,} outcomes (the last row: 1000 x 10), "
        f"best of {REPEATS} runs each way"
    )
    print(
        "targets (TARGET rows): kl_discrete <= 1.5 x rel_entr(p, q).sum(), "
        "kl_logits <= 1.3 x the naive log-softmax formula"
    )
    print(
        f"{'':36s} {'-- interleaved, wall --':>28s}   {'-- separate, wall --':>28s}"
        f"   {'-- interleaved, CPU --':>23s}   {'-- page faults --':>14s}"
    )
    print(
        f"{'case':36s} {'klnotes ms':>11s} {'naive ms':>9s} {'ratio':>6s}"
        f"   {'klnotes ms':>11s} {'naive ms':>9s} {'ratio':>6s}"
        f"   {'klnotes':>8s} {'naive':>7s} {'ratio':>6s}"
        f"   {'klnotes':>7s} {'naive':>6s}",
        flush=True,
    )
    rows = cases()
    for index, row in enumerate(rows):
        if fresh:  # each row in a fresh process: see the module docstring
            subprocess.run(
                [sys.executable, __file__, "--row", str(index)], check=True
            )
        else:
            measure(*row)


def blocks() -> None:
    """Time _blocked(_bregman_terms) on 10^6 elements for several block sizes
    (the measurement behind klnotes._psi._BLOCK); "whole" applies the kernel
    to the whole arrays at once."""
    from klnotes import _psi

    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(N))
    cases = {
        "unrelated": rng.dirichlet(np.ones(N)),
        "within 1e-6": p * (1.0 + 1e-6 * rng.standard_normal(N)),
    }
    saved = _psi._BLOCK
    print(f"{'block':>8s} " + " ".join(f"{k + ' ms':>16s}" for k in cases))
    try:
        for size in (2**12, 2**14, 2**16, 2**18, 2**20, N):
            _psi._BLOCK = size
            row = []
            for q in cases.values():
                times = []
                for _ in range(REPEATS):
                    t0 = time.perf_counter()
                    _psi._blocked(_psi._bregman_terms, p, q)
                    times.append(time.perf_counter() - t0)
                row.append(min(times) * 1e3)
            label = "whole" if size == N else f"2^{size.bit_length() - 1}"
            print(f"{label:>8s} " + " ".join(f"{t:16.2f}" for t in row))
    finally:
        _psi._BLOCK = saved


if __name__ == "__main__":
    if "--blocks" in sys.argv[1:]:
        blocks()
    elif "--row" in sys.argv[1:]:
        measure(*cases()[int(sys.argv[sys.argv.index("--row") + 1])])
    else:
        main(fresh="--fresh" in sys.argv[1:])
