"""Accuracy of klnotes against the usual formulas, on the cases where they differ.

For each hard case this prints the relative error, against an 80-digit mpmath
evaluation of the textbook formula (``klnotes.testing``), of

* klnotes (the psi form),
* ``scipy.stats.entropy`` / ``scipy.special`` where scipy has the function,
* the naive float64 formula a reader would write,

and, for each method, how many cases came out negative. Run from the repository
root:  ``python benchmarks/accuracy.py``.

All inputs are exactly normalised float64 vectors (dyadic probabilities whose
perturbations sum to exactly zero), so the reference is the true divergence of
exactly the numbers passed in.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import special, stats
from scipy.spatial import distance

import klnotes
from klnotes import testing as ref

RNG_SEED = 20261121


# ---------------------------------------------------------------- naive formulas
def naive_discrete(p, q):
    return float(np.sum(p * np.log(p / q)))


def naive_normal(mp, sp, mq, sq):
    return float(
        np.log(sq / sp) + (sp**2 + (mp - mq) ** 2) / (2 * sq**2) - 0.5
    )


def naive_logits(a, b):
    lp, lq = special.log_softmax(a), special.log_softmax(b)
    return float(np.sum(np.exp(lp) * (lp - lq)))


def naive_std_normal(mu, lv):
    return float(-0.5 * np.sum(1 + lv - mu**2 - np.exp(lv)))


def naive_mvn(mp, cp, mq, cq):
    inv = np.linalg.inv(cq)
    diff = mq - mp
    return float(
        0.5
        * (
            np.trace(inv @ cp)
            + diff @ inv @ diff
            - len(mp)
            + np.linalg.slogdet(cq)[1]
            - np.linalg.slogdet(cp)[1]
        )
    )


def naive_renyi(alpha):
    def f(p, q):
        return float(np.log(np.sum(p**alpha * q ** (1 - alpha))) / (alpha - 1))

    return f


def naive_hellinger(p, q):
    return float(1.0 - np.sum(np.sqrt(p * q)))


def naive_chi2(p, q):
    return float(np.sum(p * p / q) - 1.0)


def naive_beta(a1, b1, a2, b2):
    dg = special.digamma
    return float(
        special.betaln(a2, b2)
        - special.betaln(a1, b1)
        + (a1 - a2) * dg(a1)
        + (b1 - b2) * dg(b1)
        + (a2 - a1 + b2 - b1) * dg(a1 + b1)
    )


# ---------------------------------------------------------------- hard cases
def cases(rng):
    out = []
    for k in (24, 34, 44, 50, 54, 56):
        p, q = ref.exact_near_pair(rng, 16, k)
        out.append(("discrete", f"near-equal, q = p + d*2^-{k}", (p, q)))
    out.append(
        (
            "discrete",
            "tiny entries (1e-300) in p",
            (np.array([1e-300, 0.375, 0.625]), np.array([0.25, 0.25, 0.5])),
        )
    )
    out.append(
        (
            "discrete",
            "tiny entries (1e-300) in q",
            (np.array([0.25, 0.25, 0.5]), np.array([1e-300, 0.375, 0.625])),
        )
    )
    out.append(
        (
            "discrete",
            "tiny in both (1e-300 vs 3e-300)",
            (np.array([1e-300, 0.375, 0.625]), np.array([3e-300, 0.25, 0.75])),
        )
    )
    for k in (10, 20, 30, 40, 50):
        e = 2.0**-k
        out.append(
            ("normal", f"sigma_p = 1 + 2^-{k}", (0.0, 1.0 + e, 0.0, 1.0))
        )
        out.append(
            (
                "normal",
                f"mu, sigma both off by 2^-{k}",
                (3.0 + e, 2.0 - e, 3.0, 2.0),
            )
        )
    # near 1e4 the spacing of floats is 2^-39, so the perturbation there stops at 2^-34
    for k, k_big in ((10, 10), (25, 25), (40, 34)):
        a = rng.normal(0.0, 5.0, size=12)
        out.append(
            (
                "logits",
                f"b = a + 2^-{k} * noise",
                (a, a + 2.0**-k * rng.normal(size=12)),
            )
        )
        big = rng.uniform(-1e4, 1e4, size=12)
        big[(np.argmax(big) + 1) % 12] = (
            big.max() - 0.5
        )  # two competitive classes
        out.append(
            (
                "logits",
                f"|logits| ~ 1e4, b = a + 7 + 2^-{k_big} * noise",
                (big, big + 7.0 + 2.0**-k_big * rng.normal(size=12)),
            )
        )
    for k in (10, 25, 40):
        mu, lv = 2.0**-k * rng.normal(size=8), 2.0**-k * rng.normal(size=8)
        out.append(("std_normal", f"mu, log_var ~ 2^-{k}", (mu, lv)))
    a = rng.normal(size=(4, 4))
    cov = a @ a.T + 4 * np.eye(4)
    out.append(
        (
            "mvn",
            "well-conditioned 4x4, different",
            (np.zeros(4), cov, np.ones(4), cov + np.eye(4)),
        )
    )
    for k in (20, 30, 40):
        pert = rng.normal(size=(4, 4))
        pert = (pert + pert.T) * 2.0**-k
        out.append(
            (
                "mvn",
                f"4x4, cov_q = cov_p + 2^-{k} * sym",
                (np.zeros(4), cov, np.full(4, 2.0**-k), cov + pert),
            )
        )
    for k in (24, 34, 44, 54):
        p, q = ref.exact_near_pair(rng, 16, k)
        for fam in ("renyi 0.5", "renyi 2", "hellinger", "chi2", "js"):
            out.append((fam, f"near-equal, q = p + d*2^-{k}", (p, q)))
    for a, b in ((2.5, 40.0), (1000.0, 3000.0), (1e6, 3.0)):
        for k in (20, 40, 50):
            out.append(
                (
                    "beta",
                    f"Beta({a:g}, {b:g}), a_q = a_p (1 + 2^-{k})",
                    (a, b, a * (1 + 2.0**-k), b),
                )
            )
            out.append(
                (
                    "beta",
                    f"Beta({a:g}, {b:g}), both scaled by 1 + 2^-{k}",
                    (a, b, a * (1 + 2.0**-k), b * (1 + 2.0**-k)),
                )
            )
    return out


METHODS = {
    "discrete": {
        "klnotes": klnotes.kl_discrete,
        "scipy.stats.entropy": lambda p, q: float(stats.entropy(p, q)),
        "naive sum p*log(p/q)": naive_discrete,
    },
    "normal": {
        "klnotes": klnotes.kl_normal,
        "naive closed form": naive_normal,
    },
    "logits": {
        "klnotes": klnotes.kl_logits,
        "naive log_softmax": naive_logits,
    },
    "std_normal": {
        "klnotes": klnotes.kl_std_normal,
        "naive -1/2 sum(1+lv-mu^2-e^lv)": naive_std_normal,
    },
    "mvn": {"klnotes": klnotes.kl_mvn, "naive inv + slogdet": naive_mvn},
    "renyi 0.5": {
        "klnotes": lambda p, q: klnotes.renyi_divergence(p, q, 0.5),
        "naive log sum p^a q^(1-a)": naive_renyi(0.5),
    },
    "renyi 2": {
        "klnotes": lambda p, q: klnotes.renyi_divergence(p, q, 2.0),
        "naive log sum p^a q^(1-a)": naive_renyi(2.0),
    },
    "hellinger": {
        "klnotes": klnotes.hellinger_sq,
        "naive 1 - sum sqrt(pq)": naive_hellinger,
    },
    "chi2": {
        "klnotes": klnotes.chi2_divergence,
        "naive sum p^2/q - 1": naive_chi2,
    },
    "js": {
        "klnotes": klnotes.js_divergence,
        "scipy jensenshannon^2": lambda p, q: float(
            distance.jensenshannon(p, q) ** 2
        ),
    },
    "beta": {"klnotes": klnotes.kl_beta, "naive closed form": naive_beta},
}
REFERENCE = {
    "discrete": ref.kl_discrete,
    "normal": ref.kl_normal,
    "logits": ref.kl_logits,
    "std_normal": ref.kl_std_normal,
    "mvn": ref.kl_mvn,
    "renyi 0.5": lambda p, q: ref.renyi_divergence(p, q, 0.5),
    "renyi 2": lambda p, q: ref.renyi_divergence(p, q, 2.0),
    "hellinger": ref.hellinger_sq,
    "chi2": ref.chi2_divergence,
    "js": ref.js_divergence,
    "beta": ref.kl_beta,
}


def main() -> int:
    rng = np.random.default_rng(RNG_SEED)
    worst: dict[str, float] = {}
    negatives: dict[str, int] = {}
    counts: dict[str, int] = {}
    print(
        f"{'case':48s} {'true KL':>10s}  "
        + "  ".join(f"{'rel err':>9s}" for _ in range(3))
    )
    for family, label, args in cases(rng):
        true = REFERENCE[family](*args)
        cells = []
        for name, fn in METHODS[family].items():
            with np.errstate(all="ignore"):
                val = float(fn(*args))
            err = ref.rel_error(val, true)
            key = f"{family}: {name}"
            worst[key] = max(worst.get(key, 0.0), err)
            negatives[key] = negatives.get(key, 0) + (val < 0)
            counts[key] = counts.get(key, 0) + 1
            cells.append(
                f"{name.split()[0][:9]:>9s}={err:9.1e}{'(<0)' if val < 0 else '    '}"
            )
        print(
            f"{family + ': ' + label:48s} {float(true):10.3e}  "
            + " ".join(cells)
        )
    print()
    print(f"{'method':52s} {'worst rel err':>14s} {'negative':>9s}")
    failed = False
    for key in worst:
        print(
            f"{key:52s} {worst[key]:14.2e} {negatives[key]:>4d}/{counts[key]:<4d}"
        )
        if key.endswith("klnotes"):
            tol = 1e-10 if key.startswith("mvn") else 1e-13
            failed |= worst[key] > tol or negatives[key] > 0
    print()
    print(
        "klnotes meets its contract (<= 1e-13 relative, 1e-10 for kl_mvn; never negative):",
        "no" if failed else "yes",
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
