from otter.test_files import test_case

OK_FORMAT = False

name = "q1_kl_gauss"
points = 4

@test_case(points=None, hidden=False, 
    failure_message="For N(0, 1) against N(1, 4) the textbook formula log(s2/s1) + (s1^2 + (mu1 - mu2)^2)/(2 s2^2) - 1/2 gives the value to check against.")
def test_generic(kl_gauss):
    import numpy as np
    want = np.log(2.0) + (1.0 + 1.0) / 8.0 - 0.5
    assert np.isclose(kl_gauss(0.0, 1.0, 1.0, 2.0), want, rtol=1e-12)

@test_case(points=None, hidden=False, 
    failure_message="For s1 and s2 that differ by one part in a billion the answer must keep 9 digits: use klnotes.expm1mx(log r) with log r from log1p, not log(s2/s1) + ... - 1/2.")
def test_near_equal(kl_gauss):
    import mpmath
    s2 = 1.0 + 2.0 ** (-30)
    with mpmath.workdps(50):
        r = 1 / mpmath.mpf(s2) ** 2
        want = (r - 1 - mpmath.log(r)) / 2
    got = kl_gauss(0.0, 1.0, 0.0, s2)
    assert abs(got - float(want)) <= 1e-09 * float(want)

