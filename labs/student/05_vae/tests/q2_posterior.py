from otter.test_files import test_case

OK_FORMAT = False

name = "q2_posterior"
points = 2

@test_case(points=None, hidden=False, 
    failure_message="The posterior precision is the prior precision plus w^2/sigma^2; the mean is the variance times w*x/sigma^2.")
def test_posterior(post_mean, post_var):
    import numpy as np
    w, sigma, x = (2.0, 0.5, 1.0)
    var = 1 / (1 + w ** 2 / sigma ** 2)
    mean = var * w * x / sigma ** 2
    assert np.isclose(float(post_var), var, rtol=1e-12)
    assert np.isclose(float(post_mean), mean, rtol=1e-12)

