from otter.test_files import test_case

OK_FORMAT = False

name = "q3_mode_seeking"
points = 3

@test_case(points=None, hidden=False, 
    failure_message="The reverse fit with s = 1 settles on one mode of P. Minimise over m in [0.5, 4] with your reverse_kl.")
def test_mode(m_rev, d_rev):
    import numpy as np
    from scipy import optimize
    from scipy import integrate, stats

    def ref(m, s):

        def integrand(x):
            lq = stats.norm.logpdf(x, m, s)
            lp = np.logaddexp(stats.norm.logpdf(x, -2, 1), stats.norm.logpdf(x, 2, 1)) + np.log(0.5)
            return np.exp(lq) * (lq - lp)
        return integrate.quad(integrand, m - 15 * s, m + 15 * s, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
    fit = optimize.minimize_scalar(lambda m: ref(m, 1.0), bounds=(0.5, 4.0), method='bounded', options={'xatol': 1e-08})
    assert abs(float(m_rev) - fit.x) < 0.0001
    assert np.isclose(float(d_rev), fit.fun, rtol=1e-06)

