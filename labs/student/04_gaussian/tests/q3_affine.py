from otter.test_files import test_case

OK_FORMAT = False

name = "q3_affine"
points = 2

@test_case(points=None, hidden=False, 
    failure_message="Transform the means and the covariances of both normals and apply the same closed form. An invertible affine map leaves the divergence unchanged.")
def test_invariant(d_mapped):
    import numpy as np
    trace = 1.0 / 2.0 + 2.0 / 1.0
    maha = 1.0 / 2.0 + 1.0 / 1.0
    logdet = np.log(2.0) - np.log(1.75)
    want = 0.5 * (trace + maha - 2 + logdet)
    assert np.isclose(float(d_mapped), want, rtol=1e-09)

