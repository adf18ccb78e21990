from otter.test_files import test_case

OK_FORMAT = False

name = "q2_k3_sampling"
points = 3

@test_case(points=None, hidden=False, 
    failure_message="exact is the sum over actions of q*log(q/p), with q the sampling policy.")
def test_exact(exact):
    import numpy as np
    from scipy.special import rel_entr
    want = rel_entr([0.5, 0.3, 0.2], [0.4, 0.4, 0.2]).sum()
    assert np.isclose(float(exact), want, rtol=1e-12)

@test_case(points=None, hidden=False, 
    failure_message="Draw the actions from q with the stated seed, form log r = log(p[a]/q[a]) for each, and average k3.")
def test_estimate(k3_estimate):
    import numpy as np
    q = np.array([0.5, 0.3, 0.2])
    p = np.array([0.4, 0.4, 0.2])
    a = np.random.default_rng(0).choice(3, size=10000, p=q)
    lr = np.log(p[a] / q[a])
    k3 = np.expm1(lr) - lr
    assert np.isclose(float(k3_estimate), k3.mean(), rtol=1e-09)
    exact = np.sum(q * np.log(q / p))
    assert abs(k3.mean() - exact) < 5 * k3.std() / np.sqrt(a.size)

