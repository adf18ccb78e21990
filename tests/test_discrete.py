"""kl_discrete, kl_logits, entropy, cross_entropy, js_divergence."""

from __future__ import annotations

import contextlib
import math

import mpmath
import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special
from strategies import prob_pairs, prob_vectors

from klnotes import (
    cross_entropy,
    entropy,
    hellinger_sq,
    js_divergence,
    kl_discrete,
    kl_logits,
    mutual_information,
    renyi_divergence,
    tv_distance,
)
from klnotes import testing as ref

# ----------------------------------------------------------------- kl_discrete values


def test_closed_form_value():
    # 0.5 log(0.5/0.9) + 0.5 log(0.5/0.1) = 0.5 log(25/9) = log(5/3)
    assert kl_discrete([0.5, 0.5], [0.9, 0.1]) == pytest.approx(
        math.log(5 / 3), rel=1e-15
    )
    assert kl_discrete([0.5, 0.5], [0.9, 0.1], base=2) == pytest.approx(
        math.log2(5 / 3), rel=1e-15
    )
    assert kl_discrete([0.5, 0.5], [0.9, 0.1], base=10) == pytest.approx(
        math.log10(5 / 3), rel=1e-15
    )


@pytest.mark.parametrize("k", [16, 24, 34, 44, 50, 54, 56])
def test_nearly_equal_distributions_keep_full_relative_precision(k):
    p, q = ref.exact_near_pair(np.random.default_rng(k), 16, k)
    want = ref.kl_discrete(p, q)
    assert want > 0
    assert ref.rel_error(kl_discrete(p, q), want) <= 1e-14
    assert ref.rel_error(kl_discrete(q, p), ref.kl_discrete(q, p)) <= 1e-14


def test_true_kl_of_1e_minus_30():
    # (scipy.stats.entropy loses every digit here: benchmarks/accuracy.py shows it)
    p, q = ref.exact_near_pair(np.random.default_rng(0), 16, 54)
    want = float(ref.kl_discrete(p, q))
    assert 1e-31 < want < 1e-29
    assert kl_discrete(p, q) == pytest.approx(want, rel=1e-14)


@pytest.mark.parametrize(
    "p, q",
    [
        ([1e-300, 0.375, 0.625], [0.25, 0.25, 0.5]),
        ([0.25, 0.25, 0.5], [1e-300, 0.375, 0.625]),
        ([1e-300, 0.375, 0.625], [3e-300, 0.25, 0.75]),
        # exactly normalised, with a 2^-54 entry: 0.5 - 2^-54 is representable
        (
            [0.5, 0.5 - 2.0**-54, 2.0**-54],
            [0.5 - 2.0**-54, 0.5 - 2.0**-54, 2.0**-53],
        ),
    ],
)
def test_tiny_probabilities(p, q):
    assert ref.rel_error(kl_discrete(p, q), ref.kl_discrete(p, q)) <= 1e-14


def test_zero_conventions():
    assert kl_discrete([0.0, 1.0], [0.5, 0.5]) == pytest.approx(
        math.log(2), rel=1e-15
    )
    assert kl_discrete([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert kl_discrete([0.0, 1.0], [0.0, 1.0]) == 0.0


def test_batch_axis_and_broadcasting():
    rng = np.random.default_rng(4)
    P = rng.dirichlet(np.ones(5), size=7)
    Q = rng.dirichlet(np.ones(5), size=7)
    rows = np.array([kl_discrete(p, q) for p, q in zip(P, Q, strict=False)])
    assert np.array_equal(kl_discrete(P, Q), rows)
    assert np.array_equal(kl_discrete(P.T, Q.T, axis=0), rows)
    # one q against a batch of p
    assert np.array_equal(
        kl_discrete(P, Q[0]), np.array([kl_discrete(p, Q[0]) for p in P])
    )
    assert kl_discrete(P[None], Q[None]).shape == (1, 7)


# ----------------------------------------------------------------- properties


@given(prob_pairs())
def test_nonnegative_and_zero_on_the_diagonal(pq):
    p, q = pq
    assert kl_discrete(p, q) >= 0.0
    assert kl_discrete(p, p) == 0.0
    assert js_divergence(p, p) == 0.0


@given(prob_pairs(allow_zeros=False))
def test_agrees_with_scipy_where_scipy_is_accurate(pq):
    p, q = pq
    ours, theirs = kl_discrete(p, q), scipy.stats.entropy(p, q)
    # scipy's sum of p log(p/q) has absolute error ~ 1e-16 * sum|p log(p/q)|;
    # ours is exact to ~1e-16 relative, and the two definitions differ by
    # sum(q) - sum(p) (< 1e-15 here).
    scale = float(np.sum(np.abs(special.rel_entr(p, q))))
    assert abs(ours - theirs) <= 1e-13 * scale + 4e-15


@given(prob_pairs(allow_zeros=False))
@settings(max_examples=60)
def test_agrees_with_mpmath(pq):
    p, q = pq
    # Vectors normalised by division sum to 1 only within rounding; compare with
    # the generalised sum that kl_discrete is documented to return.
    with ref.mpmath.workdps(ref.DIGITS):
        want = ref.kl_discrete(p, q) + (
            ref.mpmath.fsum(map(ref._mp, q)) - ref.mpmath.fsum(map(ref._mp, p))
        )
    assert (
        ref.rel_error(kl_discrete(p, q), want) <= 1e-14
        or abs(float(want)) < 1e-300
    )


@given(prob_pairs())
def test_cross_entropy_is_entropy_plus_kl(pq):
    p, q = pq
    h_pq = cross_entropy(p, q)
    if np.isinf(h_pq):
        assert kl_discrete(p, q) == np.inf
    else:
        assert h_pq == pytest.approx(
            entropy(p) + kl_discrete(p, q), rel=1e-12, abs=1e-14
        )
        assert h_pq >= entropy(p) - 1e-15  # Gibbs: cross-entropy >= entropy


@given(prob_vectors())
def test_entropy_bounds_and_scipy(p):
    h = entropy(p)
    assert -1e-15 <= h <= math.log(len(p)) + 1e-12
    assert h == pytest.approx(scipy.stats.entropy(p), rel=1e-12, abs=1e-15)
    assert entropy(p, base=2) == pytest.approx(
        h / math.log(2), rel=1e-15, abs=1e-300
    )


@given(prob_pairs())
def test_js_symmetric_bounded_and_matches_definition(pq):
    p, q = pq
    js = js_divergence(p, q)
    assert js == js_divergence(q, p)
    assert 0.0 <= js <= math.log(2) * (1 + 1e-15)
    m = 0.5 * (p + q)
    m /= m.sum()
    assert js == pytest.approx(
        0.5 * kl_discrete(p, m) + 0.5 * kl_discrete(q, m), rel=1e-9, abs=1e-15
    )


def test_js_disjoint_supports_is_log_two():
    assert js_divergence([1.0, 0.0, 0.0], [0.0, 0.5, 0.5]) == math.log(2)
    assert js_divergence([1.0, 0.0], [0.0, 1.0], base=2) == 1.0


@pytest.mark.parametrize("k", [20, 34, 50])
def test_js_nearly_equal_keeps_precision(k):
    p, q = ref.exact_near_pair(np.random.default_rng(k), 8, k)
    with ref.mpmath.workdps(ref.DIGITS):
        m = [(ref._mp(a) + ref._mp(b)) / 2 for a, b in zip(p, q, strict=False)]
        want = (
            sum(
                ref._mp(a) * ref.mpmath.log(ref._mp(a) / c)
                + ref._mp(b) * ref.mpmath.log(ref._mp(b) / c)
                for a, b, c in zip(p, q, m, strict=False)
            )
            / 2
        )
    assert ref.rel_error(js_divergence(p, q), want) <= 1e-14


# ----------------------------------------------------------------- TV and mutual information


@given(prob_pairs())
def test_tv_is_max_over_events_and_obeys_pinsker(pq):
    p, q = pq
    tv = tv_distance(p, q)
    a = p > q
    assert tv == pytest.approx(
        p[a].sum() - q[a].sum(), abs=1e-15
    )  # attained at A = {p > q}
    assert (
        0.0 <= tv <= 1.0 + 4e-16
    )  # 1 up to the rounding of vectors normalised by division
    assert tv <= math.sqrt(kl_discrete(p, q) / 2) + 1e-12  # Pinsker


def test_tv_value():
    assert tv_distance([0.5, 0.5], [0.9, 0.1]) == pytest.approx(0.4, rel=1e-15)
    assert tv_distance([1.0, 0.0], [0.0, 1.0]) == 1.0


def test_mutual_information_values():
    assert mutual_information([[0.5, 0.0], [0.0, 0.5]]) == pytest.approx(
        math.log(2), rel=1e-15
    )
    assert mutual_information(np.outer([0.3, 0.7], [0.2, 0.5, 0.3])) < 1e-16
    rng = np.random.default_rng(8)
    joint = rng.dirichlet(np.ones(12)).reshape(3, 4)
    px, py = joint.sum(1), joint.sum(0)
    h = (
        entropy(px) + entropy(py) - entropy(joint.ravel())
    )  # I = H(X) + H(Y) - H(X,Y)
    assert mutual_information(joint) == pytest.approx(h, rel=1e-12)


def test_mutual_information_errors():
    with pytest.raises(
        ValueError,
        match=r"joint must be a 2-D table of P\(X=i, Y=j\); got shape \(4,\)",
    ):
        mutual_information([0.25] * 4)
    with pytest.raises(ValueError, match=r"joint must sum to 1"):
        mutual_information([[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match=r"base must be None"):
        mutual_information([[1.0]], base=0)


# ----------------------------------------------------------------- kl_logits


@given(
    st.integers(1, 10).flatmap(
        lambda n: st.tuples(
            *(
                st.lists(st.floats(-30, 30), min_size=n, max_size=n)
                for _ in range(2)
            )
        )
    )
)
def test_logits_match_kl_of_softmax(ab):
    a, b = (np.array(v) for v in ab)
    want = kl_discrete(special.softmax(a), special.softmax(b))
    assert kl_logits(a, b) == pytest.approx(want, rel=1e-10, abs=1e-15)
    assert kl_logits(a, b) >= 0.0


@pytest.mark.parametrize(
    "scale, k", [(5.0, 10), (5.0, 30), (5.0, 45), (1e4, 20), (1e4, 34)]
)
def test_logits_against_mpmath(scale, k):
    rng = np.random.default_rng(int(scale) + k)
    a = rng.uniform(-scale, scale, 12)
    a[(np.argmax(a) + 1) % 12] = a.max() - 0.5
    b = a + 7.0 + 2.0**-k * rng.normal(size=12)
    want = ref.kl_logits(a, b)
    assert ref.rel_error(kl_logits(a, b), want) <= 1e-14


def test_logits_extreme_differences():
    a, b = np.array([0.0, -1000.0]), np.array([-1000.0, 0.0])
    assert ref.rel_error(kl_logits(a, b), ref.kl_logits(a, b)) <= 1e-14
    # a term with c > 700: p_2 = e^-800 is tiny but q puts all its mass there
    a, b = np.array([0.0, -800.0, 0.0]), np.array([0.0, 900.0, 0.0])
    assert ref.rel_error(kl_logits(a, b), ref.kl_logits(a, b)) <= 1e-14
    # E_P[e^c] overflows: the log-sum-exp route
    a, b = np.array([0.0, -5.0]), np.array([0.0, 2000.0])
    assert ref.rel_error(kl_logits(a, b), ref.kl_logits(a, b)) <= 1e-14


def test_logits_single_category_is_exactly_zero():
    # Found by hypothesis: the centring residual once made this -2.7e-48.
    assert kl_logits([2.0], [-1.2092670291069612e-11]) == 0.0
    assert kl_logits([[3.0], [-7.5]], [[1e4], [0.1]]).tolist() == [0.0, 0.0]


def test_logits_shift_invariance_is_exact():
    a = np.random.default_rng(5).normal(size=9)
    assert kl_logits(a, a) == 0.0
    # a + 3.0 rounds, so the shift is not exactly constant: the true KL of the
    # rounded inputs (~1e-32) is what must come out, to full relative precision
    b = a + 3.0
    want = ref.kl_logits(a, b)
    assert float(want) > 0.0
    assert ref.rel_error(float(kl_logits(a, b)), want) <= 1e-13
    # an exactly representable constant shift: exactly 0
    c = np.round(a * 2**20) / 2**20
    assert kl_logits(c, c + 3.0) == 0.0
    assert kl_logits(c + 1e4, c) == 0.0


def test_logits_batch():
    rng = np.random.default_rng(6)
    A, B = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    rows = np.array([kl_logits(a, b) for a, b in zip(A, B, strict=False)])
    np.testing.assert_allclose(kl_logits(A, B), rows, rtol=1e-15)
    np.testing.assert_allclose(kl_logits(A.T, B.T, axis=0), rows, rtol=1e-15)


def _first_pass_sums(a, b):
    """S1, S2 of kl_logits after one centring, for (rows, n) logits."""
    from klnotes._kl import _centred_sums, _softmax_moments

    scratch = np.empty((4, a.size))
    amax, z, m = _softmax_moments(a, b, scratch)
    return _centred_sums(a, b, amax, z, m, scratch)


@pytest.mark.parametrize("offset", [0.0, 7.0, 1e4])
def test_logits_one_or_two_centrings(offset):
    """On both sides of the switch between one centring and two (|S1|
    against 2^-10 sqrt(S2)), kl_logits is within a few ulp of mpmath; a
    large mean log-ratio with a tiny divergence takes the second route."""
    from klnotes._kl import _needs_second_centring

    routes = set()
    for k in range(10, 60, 3):
        rng = np.random.default_rng(k)
        a = rng.uniform(-5.0, 5.0, 12)
        b = a + offset + 2.0**-k * rng.normal(size=12)
        s1, s2 = _first_pass_sums(a[None], b[None])
        routes.add(bool(_needs_second_centring(s1, s2)[0]))
        assert ref.rel_error(kl_logits(a, b), ref.kl_logits(a, b)) <= 1e-14
    assert routes == ({False} if offset == 0.0 else {False, True})


@pytest.mark.parametrize(
    "v", [5e-324, 1e-300, 1e-20, 2.0**-30, 0.2, -0.3, 0.49, 0.5, -2.0, 700.0]
)
def test_logits_constant_delta_always_takes_second_route(v):
    """Where every c equals one v (an exactly constant delta), the sums
    can never pass as negligible, so the exact zero is always decided."""
    from klnotes._kl import _needs_second_centring
    from klnotes._psi import _psi

    rng = np.random.default_rng(3)
    for n in (1, 2, 10, 1000):
        p = special.softmax(rng.normal(scale=5.0, size=(4, n)), axis=-1)
        c = np.full((4, n), v)
        with np.errstate(over="ignore"):
            s1 = np.einsum("ij,ij->i", p, c)
            s2 = np.einsum("ij,ij->i", p, _psi(c.ravel()).reshape(c.shape))
        flagged = _needs_second_centring(s1, s2)
        # or both sums vanish, and log1p(0) - 0 = 0 exactly
        assert np.all(flagged | ((s1 == 0.0) & (s2 == 0.0))), (n, s1, s2)


def test_logits_batch_rows_of_both_routes():
    """A batch mixing ordinary rows, identical rows, exactly shifted rows
    and rows that need the second centring: each as computed alone, and the
    blocked path as the general one, for rows shorter and longer than a
    block."""
    from klnotes._kl import (
        _kl_logits_fused,
        _kl_logits_general,
        _needs_second_centring,
    )
    from klnotes._psi import _BLOCK

    rng = np.random.default_rng(11)
    # exp(a - max) kept between the passes, or computed again (over
    # _KEEP_EXP elements): short rows, several to a block, or long rows
    # split across blocks
    for rows, n in ((9, 7), (40, 3000), (100, 1500), (3, _BLOCK + 123)):
        a = np.round(rng.normal(scale=3.0, size=(rows, n)) * 2**20) / 2**20
        b = a + 0.05 * rng.normal(size=(rows, n))
        b[1] = a[1]
        b[2] = a[2] + 7.0  # exact: the same distribution
        if rows > 3:
            b[3] = a[3] + 1e4 + 2.0**-40 * rng.normal(size=n)
        s1, s2 = _first_pass_sums(a, b)
        flagged = _needs_second_centring(s1, s2)
        zero = (s1 == 0.0) & (s2 == 0.0)
        assert zero[1]  # c = 0 exactly
        assert flagged[2] or zero[2]
        assert rows <= 3 or flagged[3]
        got = kl_logits(a, b)
        assert got[1] == 0.0 and got[2] == 0.0
        alone = np.array([kl_logits(x, y) for x, y in zip(a, b, strict=True)])
        np.testing.assert_allclose(got, alone, rtol=1e-14)
        np.testing.assert_allclose(
            _kl_logits_fused(a, b), _kl_logits_general(a, b), rtol=1e-13
        )
        assert np.all(got >= 0.0)


@settings(deadline=None, max_examples=60)
@given(
    st.integers(2, 400),
    st.floats(0.0, 12.0),
    st.floats(1e-12, 0.12),
    st.one_of(st.just(0.0), st.floats(-1e4, 1e4)),
    st.integers(0, 2**32 - 1),
)
def test_logits_long_rows_match_kl_of_softmax(n, scale, spread, shift, seed):
    """The moment route for any scale, spread and common shift: as the
    term-by-term general path."""
    from klnotes._kl import _kl_logits_general

    rng = np.random.default_rng(seed)
    a = rng.normal(scale=scale, size=(2, n))
    b = a + shift + spread * rng.normal(size=(2, n))
    with _moment_route_for_any_size():
        got = kl_logits(a, b)
    assert np.all(got >= 0.0)
    np.testing.assert_allclose(got, _kl_logits_general(a, b), rtol=1e-13)


@contextlib.contextmanager
def _moment_route_for_any_size():
    """kl_logits takes the moment route for inputs of any size (it is
    reserved for large ones, where it is faster), so that inputs small
    enough for mpmath test it."""
    from klnotes import _kl

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_kl, "_SERIES_MIN_N", 1)
        mp.setattr(_kl, "_SERIES_MIN_SIZE", 1)
        yield


def _series_and_exact(a, b):
    """kl_logits' sums for (rows, n) logits by moments (lo left out) and
    term by term (lo kept), and the rows the moment route lists for lo."""
    from klnotes._kl import _centred_sums, _series_sums

    series = _series_sums(a, b)
    if series is None:
        return None, None
    amax, z, m, s1, s2, listed = series
    exact = _centred_sums(a, b, amax, z, m, np.empty((4, a.size)))
    return (s1, s2, listed), exact


@pytest.mark.parametrize("spread", [1e-9, 1e-4, 0.05, 0.1])
@pytest.mark.parametrize("scale", [0.5, 3.0, 8.0])
def test_logits_moment_route_against_mpmath(spread, scale):
    """Long rows with every |c| < 1/2 take the moment route: S1 and S2 as
    the term-by-term sums, D within a few ulp of mpmath.  No row is listed
    for lo where the mean log-ratio m is small against the spread of c
    (P spread out); with P on a few outcomes (scale 8) m can be several
    times the spread, and the bound may list the row."""
    rng = np.random.default_rng(int(100 * scale) + int(-np.log2(spread)))
    a = rng.normal(scale=scale, size=(2, 1500))
    b = a + spread * rng.normal(size=a.shape)
    series, exact = _series_and_exact(a, b)
    assert series is not None
    s1, s2, listed = series
    assert scale == 8.0 or listed.size == 0
    np.testing.assert_allclose(s2, exact[1], rtol=1e-14)
    # S1 is a residue of order eps * spread: equal to that order
    assert np.all(np.abs(s1 - exact[0]) <= 1e-14 * np.sqrt(s2))
    with _moment_route_for_any_size():
        got = kl_logits(a, b)
    for row in range(2):
        want = ref.kl_logits(a[row], b[row])
        assert ref.rel_error(got[row], want) <= 1e-14


def test_logits_long_dot_products_are_the_stated_exception(monkeypatch):
    """The package docstring's exception for kl_logits: two outcomes carry
    the mass and 16,382 others add small terms, so the dot products add
    thousands of tiny terms to a large partial sum in sequence. Measured
    1.65e-13 (above the 1e-13 of nearly equal inputs); this holds it and
    the docstring's second case below 1e-12 on both routes, and the same
    length with the mass spread out within the promise."""
    n = 2**14
    a = np.full(n, -34.0)
    a[:2] = 0.0
    d = np.where(np.arange(n) % 2, 0.45, -0.45)
    d[:2] = 0.4, -0.4
    want = ref.kl_logits(a, a + d)
    assert ref.rel_error(kl_logits(a, a + d), want) <= 1e-12
    from klnotes import _kl

    monkeypatch.setattr(_kl, "_SERIES_MIN_SIZE", 2 * n)  # term by term
    assert ref.rel_error(kl_logits(a, a + d), want) <= 1e-12
    monkeypatch.undo()
    # one term carries most of the sum (measured 1.4e-13, term by term)
    flat, moved = np.zeros(8000), np.full(8000, -1e-4)
    moved[0] = 0.4999
    want = ref.kl_logits(flat, moved)
    assert ref.rel_error(kl_logits(flat, moved), want) <= 1e-12
    with _moment_route_for_any_size():
        assert ref.rel_error(kl_logits(flat, moved), want) <= 1e-12
    spread = np.random.default_rng(7).normal(scale=0.5, size=n)
    want = ref.kl_logits(spread, spread + 0.5 * d)
    assert ref.rel_error(kl_logits(spread, spread + 0.5 * d), want) <= 1e-13


@pytest.mark.parametrize("block", [16, 100, 2**14])
def test_logits_moment_route_cells_moved_to_one_centre(block):
    """Rows split into many blocks ("cells"), each centred at its own
    mean, the moments moved to the row's mean by the binomial formula:
    as mpmath, also where the cells' means differ by much more than the
    spread within them (a trend along the row)."""
    from klnotes import _kl

    rng = np.random.default_rng(block)
    a = rng.normal(scale=2.0, size=(3, 700))
    b = a + 0.01 * rng.normal(size=a.shape)
    b[1] += np.linspace(-0.2, 0.2, 700)  # cell means far apart
    b[2] = a[2] + 1e-7 * rng.normal(size=700)
    with _moment_route_for_any_size(), pytest.MonkeyPatch.context() as mp:
        mp.setattr(_kl, "_SERIES_BLOCK", block)
        assert _kl._series_sums(a, b) is not None
        got = kl_logits(a, b)
    for row in range(3):
        want = ref.kl_logits(a[row], b[row])
        assert ref.rel_error(got[row], want) <= 1e-14


def test_logits_moment_route_lists_rows_where_lo_matters():
    """A large common shift, or a rounded shift that leaves hi constant and
    only lo varying, is listed and computed again with lo kept: the
    results match mpmath; far logits leave the moment route at once."""
    rng = np.random.default_rng(21)
    a = rng.normal(scale=3.0, size=(4, 800))
    b = a + 0.01 * rng.normal(size=a.shape)
    b[1] = a[1] + 7.0 + 2.0**-35 * rng.normal(size=800)
    b[2] = a[2] + 3.0  # rounds: hi = 3.0 throughout, lo alone varies
    b[3] = a[3] + 1e4 + 2.0**-20 * rng.normal(size=800)
    series, _ = _series_and_exact(a, b)
    assert series is not None
    assert series[2].tolist() == [1, 2, 3]
    with _moment_route_for_any_size():
        got = kl_logits(a, b)
    for row in range(4):
        want = ref.kl_logits(a[row], b[row])
        assert float(want) > 0.0
        assert ref.rel_error(got[row], want) <= 1e-13
    far = rng.normal(scale=3.0, size=(1, 800))
    assert _series_and_exact(a[:1], far)[0] is None
    # a block of shifted rows only: the moment route gives up at once
    assert _series_and_exact(a[1:4], b[1:4])[0] is None


def test_logits_moment_route_exact_shift_and_one_outlier():
    """An exactly constant shift gives 0 with the moment route allowed at
    any size (the route gives up on it, or lists the row); one c at
    +-0.49 (still in range) and at 0.51 (out of it: term by term) agree
    with mpmath; and the sizes from which kl_logits takes it by itself."""
    from klnotes._kl import (
        _SERIES_MIN_N,
        _SERIES_MIN_SIZE,
        _log1p_minus,
        _series_sums,
    )

    rng = np.random.default_rng(22)
    n = 300
    a = np.round(rng.normal(scale=3.0, size=n) * 2**20) / 2**20
    with _moment_route_for_any_size():
        assert kl_logits(a, a + 7.0) == 0.0
        assert kl_logits(a + 1e4, a) == 0.0
        for v in (0.49, -0.49, 0.51):
            b = a + 1e-3 * rng.normal(size=n)
            b[np.argmax(a)] += v
            want = ref.kl_logits(a, b)
            assert ref.rel_error(kl_logits(a, b), want) <= 1e-14
    # at the thresholds, the moment route's result is what kl_logits gives
    for shape in (
        (_SERIES_MIN_SIZE,),
        (_SERIES_MIN_SIZE // _SERIES_MIN_N, _SERIES_MIN_N),
    ):
        a = rng.normal(scale=3.0, size=shape)
        b = a + 0.01 * rng.normal(size=shape)
        fa, fb = a.reshape(-1, shape[-1]), b.reshape(-1, shape[-1])
        amax, z, m, s1, s2, listed = _series_sums(fa, fb)
        kept = np.ones(s1.size, dtype=bool)
        kept[listed] = False  # P on a few outcomes: m may be large
        assert kept.mean() > 0.5
        got = np.atleast_1d(kl_logits(a, b))
        np.testing.assert_array_equal(got[kept], _log1p_minus(s1, s2)[kept])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("which", ["logits_p", "logits_q"])
@pytest.mark.parametrize("where", [0, 20_000, 39_999])
def test_logits_large_non_finite_inputs_raise_without_warnings(
    bad, which, where
):
    """Large inputs are checked only if the moment route gives up, which
    a NaN or infinite logit anywhere makes it do, silently."""
    import warnings

    rng = np.random.default_rng(23)
    a = rng.normal(scale=3.0, size=40_000)
    b = a + 0.01 * rng.normal(size=a.size)
    (a if which == "logits_p" else b)[where] = bad
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            ValueError,
            match=rf"{which} must be finite; found .* index {where}",
        ):
            kl_logits(a, b)


def test_logits_finite_but_huge_logits_are_accepted():
    """Their sum overflows (the cheap finiteness check fails), yet every
    logit is finite: accepted, and the same distribution gives 0."""
    a = np.array([1e308, 1e308, 1e308])
    assert kl_logits(a, a) == 0.0
    assert kl_logits(a, np.zeros(3)) == 0.0


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: kl_discrete([0.5, -0.1, 0.6], [0.3, 0.3, 0.4]),
            r"p must contain probabilities >= 0; found -0\.1 at index 1",
        ),
        (
            lambda: kl_discrete([0.5, 0.5], [np.nan, 1.0]),
            r"q must contain probabilities >= 0; found NaN at index 0",
        ),
        (
            lambda: kl_discrete([0.5, np.inf], [0.5, 0.5]),
            r"p must be finite; found inf at index 1",
        ),
        (
            lambda: kl_discrete([0.5, 0.6], [0.5, 0.5]),
            r"p must sum to 1 along axis=-1 \(tolerance 1e-09\); got sum 1\.1",
        ),
        (
            lambda: kl_discrete([[0.5, 0.5], [0.2, 0.2]], [0.5, 0.5]),
            r"got sum 0\.4.* \(vector 1\)",
        ),
        (
            lambda: kl_discrete([0.5, 0.5], [0.2, 0.3, 0.5]),
            r"same number of outcomes along axis=-1; got p\.shape=\(2,\) and q\.shape=\(3,\)",
        ),
        (
            lambda: kl_discrete(np.full((2, 2), 0.5), np.full((3, 2), 0.5)),
            r"must broadcast against each other",
        ),
        (lambda: kl_discrete(1.0, [1.0]), r"p must be at least 1-D"),
        (
            lambda: kl_discrete([1.0], [1.0], axis=1),
            r"axis=1 is out of range for an array with 1 dimension",
        ),
        (
            lambda: kl_discrete([1.0], [1.0], axis=0.5),
            r"axis must be an integer; got 0\.5",
        ),
        (
            lambda: kl_discrete([1.0], [1.0], base=1),
            r"base must be None \(nats\) or a finite number > 0 other than 1.*got 1",
        ),
        (lambda: kl_discrete([1.0], [1.0], base="bits"), r"got 'bits'"),
        (lambda: kl_discrete([], []), r"p must have at least one outcome"),
        (
            lambda: kl_discrete(["a"], [1.0]),
            r"p must be an array of real numbers",
        ),
        (lambda: entropy([0.3, 0.3]), r"p must sum to 1"),
        (lambda: entropy([1.0], base=-2), r"base must be None"),
        (lambda: cross_entropy([1.0], [2.0]), r"q must sum to 1"),
        (lambda: js_divergence([0.5, 0.5], [1.0]), r"same number of outcomes"),
        (
            lambda: kl_logits([0.0, np.inf], [0.0, 0.0]),
            r"logits_p must be finite; found inf at index 1",
        ),
        (
            lambda: kl_logits([0.0, 0.0], [np.nan, 0.0]),
            r"logits_q must be finite; found nan at index 0",
        ),
        (lambda: kl_logits(0.0, [0.0]), r"logits_p must be at least 1-D"),
        (
            lambda: kl_logits([0.0, 1.0], [0.0]),
            r"logits_p and logits_q must have the same number of outcomes",
        ),
        (lambda: kl_logits([0.0], [0.0], axis=2), r"axis=2 is out of range"),
        (
            lambda: kl_logits(np.zeros((3, 0)), np.zeros((3, 0))),
            r"logits_p must have at least one outcome along axis=-1; "
            r"got shape \(3, 0\)",
        ),
        (
            lambda: kl_logits([0.0], []),
            r"logits_q must have at least one outcome along axis=-1",
        ),
    ],
)
def test_every_error_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_sum_tolerance_is_the_documented_one():
    eps = 5e-10
    assert (
        kl_discrete([0.5 + eps, 0.5], [0.5, 0.5]) >= 0.0
    )  # accepted (within 1e-9)
    with pytest.raises(ValueError, match="sum to 1"):
        kl_discrete([0.5 + 3 * eps, 0.5], [0.5, 0.5])


def test_kl_logits_helpers():
    """The named steps of kl_logits: softmax / log-softmax, the double
    centring, and log1p(S1 + S2) - S1 on both sides of _LOG1P_SWITCH."""
    from scipy import special as sp

    from klnotes import testing as ref
    from klnotes._kl import (
        _LOG1P_SWITCH,
        _centred,
        _log1p_minus,
        _softmax,
    )
    from klnotes._psi import _two_diff

    rng = np.random.default_rng(8)
    a = rng.normal(scale=30.0, size=(4, 9))
    p, log_p = _softmax(a)
    np.testing.assert_allclose(p, sp.softmax(a, axis=-1), rtol=1e-14)
    np.testing.assert_allclose(
        log_p, sp.log_softmax(a, axis=-1), rtol=1e-14, atol=1e-13
    )
    b = a + 1e3 + rng.normal(size=a.shape)
    hi, lo = _two_diff(b, a)
    c = _centred(p, hi, lo)
    # after two passes the residual E_P[c] is at rounding level of spread(c)
    spread = np.max(np.abs(c), axis=-1)
    assert np.all(np.abs(np.sum(p * c, axis=-1)) <= 4 * 2.0**-52 * spread)
    for x in (
        1e-20,
        1e-3,
        0.5,
        _LOG1P_SWITCH * (1 - 2**-52),
        _LOG1P_SWITCH,
        3.0,
        1e10,
    ):
        for s1 in (0.0, 1e-17, -1e-17):
            s2 = x - s1
            got = float(_log1p_minus(np.array([s1]), np.array([s2]))[0])
            with mpmath.workdps(60):
                want = mpmath.log1p(ref._mp(s1) + ref._mp(s2)) - ref._mp(s1)
            assert ref.rel_error(got, want) <= 4 * 2.0**-52, (x, s1)


# ------------------------------------------------- documented bounds exact
def _disjoint_pairs(rng, count, exact):
    for _ in range(count):
        n = int(rng.integers(2, 12))
        on_p = rng.random(n) < 0.5
        on_p[0], on_p[-1] = True, False
        if exact:  # dyadic, summing to exactly 1
            w = rng.integers(1, 2**20, n).astype(float)
        else:  # normalised by division: sums 1 within an ulp or two
            w = rng.gamma(1.0, size=n)
        p, q = np.where(on_p, w, 0.0), np.where(on_p, 0.0, w)
        if exact:
            p[np.flatnonzero(on_p)[0]] += 2**20 * n - p.sum()
            q[np.flatnonzero(~on_p)[0]] += 2**20 * n - q.sum()
            yield p / (2.0**20 * n), q / (2.0**20 * n)
        else:
            yield p / p.sum(), q / q.sum()


@pytest.mark.parametrize("exact", [True, False], ids=["dyadic", "divided"])
def test_bounds_hold_exactly_for_disjoint_supports(exact):
    rng = np.random.default_rng(6)
    for p, q in _disjoint_pairs(rng, 2000, exact):
        assert js_divergence(p, q) == math.log(2)
        assert js_divergence(p, q, base=2) == 1.0
        assert hellinger_sq(p, q) == 1.0
        assert tv_distance(p, q) == 1.0


def test_bounds_hold_for_rounded_inputs():
    rng = np.random.default_rng(8)
    p = rng.dirichlet(np.full(5, 0.05), size=20000)
    q = rng.dirichlet(np.full(5, 0.05), size=20000)
    assert np.all(js_divergence(p, q) <= math.log(2))
    assert np.all(hellinger_sq(p, q) <= 1.0)
    assert np.all(tv_distance(p, q) <= 1.0)


# ------------------------------------------------------- float32 and other dtypes
def _softmax32(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_float32_and_float16_probability_vectors_are_accepted():
    rng = np.random.default_rng(2)
    p = _softmax32(rng.normal(size=(50, 1000)).astype(np.float32))
    q = _softmax32(rng.normal(size=(50, 1000)).astype(np.float32))
    assert p.dtype == np.float32
    assert (
        np.abs(p.astype(np.float64).sum(-1) - 1).max() > 1e-9
    )  # float32 sums
    got = kl_discrete(p, q)
    assert got.dtype == np.float64 and got.shape == (50,)
    # computed in float64 from the float32 numbers as given (their float64
    # copies are the same numbers and pass the float64 check only because
    # the tolerance follows the input's dtype)
    with pytest.raises(ValueError, match="sum to 1"):
        kl_discrete(p.astype(np.float64), q.astype(np.float64))
    p3 = np.array([0.4, 0.3, 0.3], dtype=np.float32)
    assert kl_discrete(p3, p3) == 0.0
    assert entropy(np.array([0.4, 0.3, 0.3], dtype=np.float16)) > 0.0


def test_float32_inputs_keep_relative_precision():
    """The promise for float32 inputs: the divergence of the float32 numbers
    as given (exactly representable in float64), to float64 precision."""
    rng = np.random.default_rng(4)
    for ulps in (1, 16, 1024):
        p, q = ref.near_pair(rng, 12, ulps, dtype=np.float32)
        assert p.dtype == np.float32
        for fn, oracle in (
            (kl_discrete, ref.kl_discrete),
            (js_divergence, ref.js_divergence),
        ):
            got = float(fn(p, q))
            want = oracle(p.astype(np.float64), q.astype(np.float64), dps=30)
            assert ref.rel_error(got, want) <= 1e-13


def test_float32_normalisation_failure_gives_advice_for_its_dtype():
    with pytest.raises(
        ValueError,
        match=r"tolerance 9\.54e-07\); got sum 1\.1.*scaled to float32",
    ):
        entropy(np.array([0.5, 0.6], dtype=np.float32))
    with pytest.raises(ValueError, match=r"tolerance 1e-09\).*p / p\.sum"):
        entropy(np.array([0.5, 0.6]))


# ------------------------------------------------------ exception classes
@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda: kl_discrete([1.0], [1.0], axis=0.5), TypeError),
        (lambda: kl_discrete([1.0], [1.0], axis=3), np.exceptions.AxisError),
        (lambda: kl_logits([0.0], [0.0], axis=-2), np.exceptions.AxisError),
        (lambda: kl_discrete([1.0], [1.0], base="bits"), TypeError),
        (lambda: kl_discrete(["a"], [1.0]), TypeError),
        (lambda: kl_discrete([1.0 + 0j], [1.0]), TypeError),
        (lambda: kl_discrete([None], [1.0]), TypeError),
        (lambda: renyi_divergence([1.0], [1.0], "2"), TypeError),
    ],
)
def test_exception_classes_follow_numpy(call, exc):
    # TypeError for a wrong type and AxisError for a bad axis, as NumPy
    # raises them; both are also ValueErrors, so no older caller breaks
    with pytest.raises(exc):
        call()
    with pytest.raises(ValueError):
        call()


# ------------------------------------------- JS distance, Jeffreys, keepdims
def test_js_distance_is_the_root_of_js_and_a_metric():
    rng = np.random.default_rng(9)
    p, q, r = rng.dirichlet(np.ones(6), size=(3, 500))
    from klnotes import js_distance

    d_pq = js_distance(p, q)
    np.testing.assert_array_equal(d_pq, np.sqrt(js_divergence(p, q)))
    assert np.all(d_pq <= js_distance(p, r) + js_distance(r, q) + 1e-15)
    assert js_distance([1.0, 0.0], [0.0, 1.0], base=2) == 1.0
    assert js_distance(p[0], p[0]) == 0.0
    # scipy's jensenshannon renormalises; on normalised inputs they agree
    from scipy.spatial import distance

    assert js_distance(p[0], q[0], base=2) == pytest.approx(
        distance.jensenshannon(p[0], q[0], base=2), rel=1e-12
    )


def test_jeffreys_is_the_sum_of_both_directions():
    from klnotes import jeffreys_divergence

    rng = np.random.default_rng(10)
    p, q = rng.dirichlet(np.ones(5), size=(2, 100))
    np.testing.assert_allclose(
        jeffreys_divergence(p, q),
        kl_discrete(p, q) + kl_discrete(q, p),
        rtol=1e-14,
    )
    np.testing.assert_allclose(
        jeffreys_divergence(p, q),
        np.sum((p - q) * np.log(p / q), axis=-1),
        rtol=1e-12,
    )
    assert jeffreys_divergence([1.0, 0.0], [0.5, 0.5]) == np.inf
    assert jeffreys_divergence(p[0], p[0]) == 0.0


def test_keepdims_keeps_the_outcome_axis():
    from klnotes import (
        chi2_divergence,
        f_divergence,
        jeffreys_divergence,
        js_distance,
    )

    rng = np.random.default_rng(11)
    p = rng.dirichlet(np.ones(4), size=(3, 5)).transpose(2, 0, 1)  # (4, 3, 5)
    q = rng.dirichlet(np.ones(4), size=(3, 5)).transpose(2, 0, 1)
    for fn in (
        kl_discrete,
        cross_entropy,
        js_divergence,
        js_distance,
        jeffreys_divergence,
        tv_distance,
        hellinger_sq,
        chi2_divergence,
        lambda a, b, **k: renyi_divergence(a, b, 0.5, **k),
        lambda a, b, **k: f_divergence(
            a, b, lambda t: (t - 1) ** 2, f_inf=math.inf, **k
        ),
        lambda a, b, **k: kl_logits(np.log(a), np.log(b), **k),
    ):
        flat = fn(p, q, axis=0)
        kept = fn(p, q, axis=0, keepdims=True)
        assert flat.shape == (3, 5) and kept.shape == (1, 3, 5)
        np.testing.assert_array_equal(kept[0], flat)
    assert entropy(p, axis=0, keepdims=True).shape == (1, 3, 5)
    assert kl_discrete([0.5, 0.5], [0.5, 0.5], keepdims=True).shape == (1,)


def test_axis_is_taken_before_broadcasting():
    """klnotes takes each input's outcomes along its own `axis`, then
    broadcasts the rest; scipy.stats.entropy broadcasts first. A 2-D p with
    its distributions in columns against a 1-D q: klnotes compares every
    column with q; scipy broadcasts q along the rows (each column of the
    broadcast q is constant) and then renormalises it to uniform."""
    p = np.array([[0.5, 0.1], [0.5, 0.9]])
    q = np.array([0.25, 0.75])
    got = kl_discrete(p, q, axis=0)
    want = [kl_discrete(p[:, j], q) for j in range(2)]
    np.testing.assert_array_equal(got, want)
    scipy_value = scipy.stats.entropy(p, q, axis=0)
    np.testing.assert_allclose(
        scipy_value, [kl_discrete(p[:, j], [0.5, 0.5]) for j in range(2)]
    )
    assert not np.allclose(got, scipy_value)
