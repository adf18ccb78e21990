from otter.test_files import test_case

OK_FORMAT = False

name = "q3_elbo_gap"
points = 3

@test_case(points=None, hidden=False, 
    failure_message="log p(x) is the log-density of N(0, w^2 + sigma^2) at x = 1.")
def test_evidence(log_evidence):
    import numpy as np
    from scipy import stats
    want = stats.norm.logpdf(1.0, 0.0, np.sqrt(4.25))
    assert np.isclose(float(log_evidence), want, rtol=1e-12)

@test_case(points=None, hidden=False, 
    failure_message="Each expectation under q is Gaussian: E_q[(x - w z)^2] = (x - w m)^2 + w^2 v, E_q[z^2] = m^2 + v, and -E_q[log q] is q's entropy, (1/2) log(2 pi e v).")
def test_elbo(elbo, log_evidence):
    import numpy as np
    v_post, m_post = (1 / 17, 8 / 17)
    gap = 0.5 * (np.log(v_post / 0.1) + (0.1 + (0.3 - m_post) ** 2) / v_post - 1)
    assert np.isclose(float(log_evidence) - float(elbo), gap, rtol=1e-10)

