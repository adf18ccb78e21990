from otter.test_files import test_case

OK_FORMAT = False

name = "q2_kl_mvn"
points = 2

@test_case(points=None, hidden=False, 
    failure_message="The closed form is (1/2)[tr(S2^-1 S1) + (m2 - m1)^T S2^-1 (m2 - m1) - k + log(det S2 / det S1)] with k = 2.")
def test_value(d_mvn):
    import numpy as np
    trace = 1.0 / 2.0 + 2.0 / 1.0
    maha = 1.0 / 2.0 + 1.0 / 1.0
    logdet = np.log(2.0) - np.log(1.75)
    want = 0.5 * (trace + maha - 2 + logdet)
    assert np.isclose(float(d_mvn), want, rtol=1e-10)

