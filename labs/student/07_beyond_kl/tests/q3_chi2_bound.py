from otter.test_files import test_case

OK_FORMAT = False

name = "q3_chi2_bound"
points = 2

@test_case(points=None, hidden=False, 
    failure_message="chi2 divides each squared difference by q_i; the bound is log(1 + chi2), computed with np.log1p.")
def test_chi2(chi2, kl, bound):
    import numpy as np
    from scipy.special import rel_entr
    p, q = (np.array([0.6, 0.3, 0.1]), np.array([0.2, 0.3, 0.5]))
    want = np.sum((p - q) ** 2 / q)
    assert np.isclose(float(chi2), want, rtol=1e-12)
    assert np.isclose(float(kl), rel_entr(p, q).sum(), rtol=1e-12)
    assert np.isclose(float(bound), np.log1p(want), rtol=1e-12)
    assert kl <= bound

