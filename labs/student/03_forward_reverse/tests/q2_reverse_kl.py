from otter.test_files import test_case

OK_FORMAT = False

name = "q2_reverse_kl"
points = 4

@test_case(points=None, hidden=False, 
    failure_message="The integrand is q(x) * (log q(x) - log p(x)), integrated over x; p is the two-component mixture with weights 1/2.")
def test_one_mode(reverse_kl):
    import numpy as np
    from scipy import integrate, stats

    def ref(m, s):

        def integrand(x):
            lq = stats.norm.logpdf(x, m, s)
            lp = np.logaddexp(stats.norm.logpdf(x, -2, 1), stats.norm.logpdf(x, 2, 1)) + np.log(0.5)
            return np.exp(lq) * (lq - lp)
        return integrate.quad(integrand, m - 15 * s, m + 15 * s, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
    assert np.isclose(reverse_kl(2.0, 1.0), ref(2.0, 1.0), rtol=1e-06)

