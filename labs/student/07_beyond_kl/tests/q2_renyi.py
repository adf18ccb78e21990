from otter.test_files import test_case

OK_FORMAT = False

name = "q2_renyi"
points = 4

@test_case(points=None, hidden=False, 
    failure_message="At alpha = 2 the sum is sum(p^2/q); at alpha = 1/2 it is sum(sqrt(p q)). Divide the log of the sum by alpha - 1.")
def test_orders(renyi):
    import numpy as np
    p, q = (np.array([0.6, 0.3, 0.1]), np.array([0.2, 0.3, 0.5]))
    assert np.isclose(renyi(p, q, 2.0), np.log(np.sum(p ** 2 / q)), rtol=1e-12)
    want = -2 * np.log(np.sum(np.sqrt(p * q)))
    assert np.isclose(renyi(p, q, 0.5), want, rtol=1e-12)

