from otter.test_files import test_case

OK_FORMAT = False

name = "q3_merging"
points = 2

@test_case(points=None, hidden=False, 
    failure_message="d_full is the sum of p*log(p/q) over the four outcomes, in nats.")
def test_full(d_full):
    import numpy as np
    from scipy.special import rel_entr
    want = rel_entr([0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]).sum()
    assert np.isclose(float(d_full), want, rtol=1e-12)

@test_case(points=None, hidden=False, 
    failure_message="After merging, P' = (0.3, 0.7): add the probabilities of the merged outcomes, for Q too.")
def test_merged(d_merged):
    import numpy as np
    from scipy.special import rel_entr
    want = rel_entr([0.3, 0.7], [0.7, 0.3]).sum()
    assert np.isclose(float(d_merged), want, rtol=1e-12)

