from otter.test_files import test_case

OK_FORMAT = False

name = "q3_ppo_clip"
points = 2

@test_case(points=None, hidden=False, 
    failure_message="Take the elementwise minimum of rho*A and clip(rho, 0.8, 1.2)*A, then average; for negative A the minimum picks the larger ratio.")
def test_clip(clipped, unclipped):
    import numpy as np
    rho = np.array([0.9, 1.3, 0.7, 1.1])
    adv = np.array([1.0, 2.0, -1.0, -0.5])
    surrogate = rho * adv
    pessimistic = np.minimum(surrogate, np.clip(rho, 0.8, 1.2) * adv)
    assert np.isclose(float(unclipped), surrogate.mean(), rtol=1e-12)
    assert np.isclose(float(clipped), pessimistic.mean(), rtol=1e-12)

