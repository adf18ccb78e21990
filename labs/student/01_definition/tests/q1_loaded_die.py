from otter.test_files import test_case

OK_FORMAT = False

name = "q1_loaded_die"
points = 2

@test_case(points=None, hidden=False, 
    failure_message="Not yet. D(P||U) sums p*log(p/u) over the six faces; bits need base-2 logarithms. The value is positive and below log2(6).")
def test_value(d_bits):
    import numpy as np
    from scipy.special import rel_entr
    p = np.array([0.3, 0.1, 0.1, 0.1, 0.1, 0.3])
    want = rel_entr(p, np.full(6, 1 / 6)).sum() / np.log(2)
    assert np.isclose(float(d_bits), want, rtol=1e-09, atol=0)

