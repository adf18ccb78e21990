from otter.test_files import test_case

OK_FORMAT = False

name = "q2_kl_function"
points = 3

@test_case(points=None, hidden=False, 
    failure_message="Check two coins first: P = (1/2, 1/2), Q = (1/4, 3/4). The formula is the sum of p*log(p/q) with the natural logarithm.")
def test_coins(kl):
    import numpy as np
    from scipy.special import rel_entr
    want = rel_entr([0.5, 0.5], [0.25, 0.75]).sum()
    assert np.isclose(kl([0.5, 0.5], [0.25, 0.75]), want, rtol=1e-12)

@test_case(points=None, hidden=False, 
    failure_message="An outcome with p_i = 0 contributes nothing. Computing 0*log(0/q) gives nan in floating point: leave such terms out.")
def test_zero_p(kl):
    import numpy as np
    from scipy.special import rel_entr
    p, q = ([0.5, 0.5, 0.0], [0.25, 0.25, 0.5])
    assert np.isclose(kl(p, q), rel_entr(p, q).sum(), rtol=1e-12)

