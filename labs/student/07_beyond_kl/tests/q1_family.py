from otter.test_files import test_case

OK_FORMAT = False

name = "q1_family"
points = 3

@test_case(points=None, hidden=False, 
    failure_message="JS averages two KLs to the mixture M = (P + Q)/2, natural logarithm.")
def test_js(js):
    import numpy as np
    from scipy.spatial.distance import jensenshannon
    want = jensenshannon([0.6, 0.3, 0.1], [0.2, 0.3, 0.5]) ** 2
    assert np.isclose(float(js), want, rtol=1e-09)

@test_case(points=None, hidden=False, 
    failure_message="TV is half the sum of absolute differences; Hel^2 carries a factor 1/2 in front of the sum of squared differences of square roots.")
def test_tv_hel(tv, hel2):
    import numpy as np
    p, q = (np.array([0.6, 0.3, 0.1]), np.array([0.2, 0.3, 0.5]))
    assert np.isclose(float(tv), np.abs(p - q).sum() / 2, rtol=1e-12)
    assert np.isclose(float(hel2), 1 - np.sum(np.sqrt(p * q)), rtol=1e-12)

