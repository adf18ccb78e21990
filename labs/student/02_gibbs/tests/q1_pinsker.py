from otter.test_files import test_case

OK_FORMAT = False

name = "q1_pinsker"
points = 2

@test_case(points=None, hidden=False, 
    failure_message="TV is half the sum of |p_i - q_i| (not the largest single difference).")
def test_tv(tv):
    import numpy as np
    p, q = (np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5]))
    want = np.abs(p - q).sum() / 2
    assert np.isclose(float(tv), want, rtol=1e-12)

@test_case(points=None, hidden=False, 
    failure_message="D(P||Q) is the sum of p*log(p/q) in nats; Pinsker's bound is the square root of half of it.")
def test_bound(d, pinsker_bound):
    import numpy as np
    from scipy.special import rel_entr
    want = rel_entr([0.5, 0.3, 0.2], [0.2, 0.3, 0.5]).sum()
    assert np.isclose(float(d), want, rtol=1e-12)
    assert np.isclose(float(pinsker_bound), np.sqrt(want / 2), rtol=1e-12)

