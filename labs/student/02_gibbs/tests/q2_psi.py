from otter.test_files import test_case

OK_FORMAT = False

name = "q2_psi"
points = 3

@test_case(points=None, hidden=False, 
    failure_message="Compare with a 50-digit reference at u = 1e-9, 1e-3 and 0.3: below |u| = 1/2, expm1(u) - u loses digits; sum the series u^k/k! from k = 2 instead.")
def test_small(psi):
    import mpmath
    import numpy as np
    u = np.array([1e-09, -0.001, 0.3, -0.45])
    got = np.asarray(psi(u), dtype=float)
    with mpmath.workdps(50):
        want = [float(mpmath.expm1(mpmath.mpf(x)) - mpmath.mpf(x)) for x in u]
    assert np.allclose(got, want, rtol=1e-14, atol=0)

@test_case(points=None, hidden=False, 
    failure_message="For |u| >= 1/2, expm1(u) - u is accurate; check u = 0.5, 2 and -5.")
def test_large(psi):
    import numpy as np
    u = np.array([0.5, 2.0, -5.0])
    want = np.expm1(u) - u
    assert np.allclose(np.asarray(psi(u), dtype=float), want, rtol=1e-14, atol=0)

