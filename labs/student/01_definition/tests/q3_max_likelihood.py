from otter.test_files import test_case

OK_FORMAT = False

name = "q3_max_likelihood"
points = 3

@test_case(points=None, hidden=False, 
    failure_message="Not yet. Build Q_theta as a length-6 vector (five faces at (1 - theta)/5, then theta) and minimise the divergence from the observed frequencies. The minimiser is a frequency you can read off the counts.")
def test_theta(theta_hat):
    import numpy as np
    counts = np.array([8, 9, 12, 10, 9, 12])
    want = counts[5] / counts.sum()
    assert np.isclose(float(theta_hat), want, atol=1e-06)

@test_case(points=None, hidden=False, 
    failure_message="d_min is the smallest value of D(P_hat || Q_theta) in nats, reached at theta_hat: a small positive number.")
def test_min(d_min):
    import numpy as np
    from scipy.special import rel_entr
    p = np.array([8, 9, 12, 10, 9, 12]) / 60
    q = np.append(np.full(5, 0.16), 0.2)
    assert np.isclose(float(d_min), rel_entr(p, q).sum(), rtol=1e-06)

