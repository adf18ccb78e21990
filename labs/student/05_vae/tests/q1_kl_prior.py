from otter.test_files import test_case

OK_FORMAT = False

name = "q1_kl_prior"
points = 4

@test_case(points=None, hidden=False, 
    failure_message="For one vector the answer is half the sum over j of exp(l_j) - 1 - l_j + mu_j^2.")
def test_vector(kl_to_prior):
    import numpy as np
    mu = np.array([0.5, -1.0, 0.0])
    lv = np.array([0.2, -0.3, 1.0])
    want = 0.5 * np.sum(np.exp(lv) - 1 - lv + mu ** 2)
    assert np.isclose(float(kl_to_prior(mu, lv)), want, rtol=1e-12)

@test_case(points=None, hidden=False, 
    failure_message="Sum over the last axis only: a batch of shape (3, 4) gives 3 values.")
def test_batch(kl_to_prior):
    import numpy as np
    rng = np.random.default_rng(5)
    mu, lv = (rng.normal(size=(3, 4)), rng.normal(size=(3, 4)))
    got = np.asarray(kl_to_prior(mu, lv))
    assert got.shape == (3,)
    want = 0.5 * np.sum(np.exp(lv) - 1 - lv + mu ** 2, axis=-1)
    assert np.allclose(got, want, rtol=1e-12)

