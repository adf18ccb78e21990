from otter.test_files import test_case

OK_FORMAT = False

name = "q1_forward_fit"
points = 2

@test_case(points=None, hidden=False, 
    failure_message="By symmetry the mean is easy. For the variance use E[X^2] - E[X]^2, where E[X^2] averages (1 + mean^2) over the two components.")
def test_fit(m_fwd, var_fwd):
    import numpy as np
    means, weights = (np.array([-2.0, 2.0]), np.array([0.5, 0.5]))
    mean = weights @ means
    var = weights @ (1 + means ** 2) - mean ** 2
    assert np.isclose(float(m_fwd), mean, atol=1e-12)
    assert np.isclose(float(var_fwd), var, rtol=1e-12)

