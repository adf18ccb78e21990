from otter.test_files import test_case

OK_FORMAT = False

name = "q1_estimators"
points = 4

@test_case(points=None, hidden=False, 
    failure_message="Return a tuple of three numbers, in the order k1, k2, k3, each a mean over the samples.")
def test_means(estimators):
    import numpy as np
    lr = np.array([0.1, -0.2, 0.3])
    k1, k2, k3 = estimators(lr)
    assert np.isclose(k1, -np.mean(lr), rtol=1e-12)
    assert np.isclose(k2, np.mean(lr ** 2) / 2, rtol=1e-12)
    assert np.isclose(k3, np.mean(np.exp(lr) - 1 - lr), rtol=1e-12)

