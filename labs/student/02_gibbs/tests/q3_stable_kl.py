from otter.test_files import test_case

OK_FORMAT = False

name = "q3_stable_kl"
points = 3

@test_case(points=None, hidden=False, 
    failure_message="On these nearly equal inputs the answer must agree with a 50-digit reference to 12 digits. Use log1p for u and your psi, never log(p/q).")
def test_near_equal(kl_stable):
    import mpmath
    import numpy as np
    p = np.array([0.25, 0.75])
    q = np.array([0.25 + 2.0 ** (-30), 0.75 - 2.0 ** (-30)])
    with mpmath.workdps(50):
        want = sum((mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b)) for a, b in zip(p, q)))
    got = kl_stable(p, q)
    assert abs(got - float(want)) <= 1e-12 * float(want)

