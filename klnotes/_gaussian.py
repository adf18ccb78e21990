"""KL divergences between Gaussian distributions, in the non-negative psi form."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import linalg

from ._numerics import _psi, _psi_rel, _xmlog1p
from ._validation import as_float_array, check_finite, check_positive, normalize_axis, scalar_or_array

__all__ = ["kl_normal", "kl_mvn", "kl_std_normal"]

#: Relative asymmetry tolerated in a covariance matrix (see ``kl_mvn``).
SYM_RTOL = 1e-10


def kl_normal(mu_p: ArrayLike, sigma_p: ArrayLike, mu_q: ArrayLike = 0.0, sigma_q: ArrayLike = 1.0):
    r"""KL divergence between univariate normals, :math:`D(\mathcal N(\mu_p,\sigma_p^2) \| \mathcal N(\mu_q,\sigma_q^2))`.

    Parameters
    ----------
    mu_p, sigma_p : array_like
        Mean and standard deviation (not variance) of P; `sigma_p` > 0.
    mu_q, sigma_q : array_like, optional
        Mean and standard deviation of Q; default the standard normal.
        All four arguments broadcast against each other.

    Returns
    -------
    kl : numpy.float64 or ndarray
        In nats; :math:`\ge 0`, and exactly ``0.0`` when the parameters are equal.

    Raises
    ------
    ValueError
        If a mean is not finite, or a standard deviation is not finite and > 0, or
        the arguments do not broadcast.

    Notes
    -----
    The textbook closed form is

    .. math:: \log\frac{\sigma_q}{\sigma_p} + \frac{\sigma_p^2 + (\mu_p - \mu_q)^2}{2\sigma_q^2} - \frac12 .

    With :math:`\rho = \sigma_p/\sigma_q` and :math:`z = (\mu_p - \mu_q)/\sigma_q`
    it equals :math:`\tfrac12[\psi(\log \rho^2) + z^2]`, and since
    :math:`\psi(2\log\rho) = (\rho - 1)^2 + 2\psi(\log\rho)`,

    .. math:: D = \tfrac12 (\rho - 1)^2 + \psi(\log \rho) + \tfrac12 z^2,

    three non-negative terms. :math:`\rho - 1 = (\sigma_p - \sigma_q)/\sigma_q` is
    computed from the exact difference, so the result keeps full relative
    precision as the two normals approach each other, where the textbook form
    cancels to zero or below.

    Derived in chapter 4.

    References
    ----------
    .. [1] S. Kullback, *Information Theory and Statistics*, Wiley, 1959,
           chapter 9, eq. (1.2) (the normal case).

    Examples
    --------
    >>> from klnotes import kl_normal
    >>> float(kl_normal(0.0, 1.0, 1.0, 2.0))
    0.4431471805599453
    >>> sigma = 1.0 + 2.0**-30                # rho - 1 = 2**-30 exactly
    >>> print(f"{kl_normal(0.0, sigma):.10e}")  # (rho-1)^2 (1 - (rho-1)/3 ...)
    8.6736173772e-19
    """
    mp = as_float_array(mu_p, "mu_p")
    sp = as_float_array(sigma_p, "sigma_p")
    mq = as_float_array(mu_q, "mu_q")
    sq = as_float_array(sigma_q, "sigma_q")
    for arr, name in ((mp, "mu_p"), (mq, "mu_q"), (sp, "sigma_p"), (sq, "sigma_q")):
        check_finite(arr, name)
    check_positive(sp, "sigma_p")
    check_positive(sq, "sigma_q")
    try:
        mp, sp, mq, sq = np.broadcast_arrays(mp, sp, mq, sq)
    except ValueError as exc:
        raise ValueError(
            "mu_p, sigma_p, mu_q and sigma_q must broadcast against each other; got shapes "
            f"{mp.shape}, {sp.shape}, {mq.shape} and {sq.shape}"
        ) from exc
    shape = mp.shape
    mp, sp, mq, sq = (np.atleast_1d(x).ravel() for x in (mp, sp, mq, sq))
    with np.errstate(over="ignore"):
        t = (sp - sq) / sq
        z = (mp - mq) / sq
        d = 0.5 * t * t + _psi_rel(sq, sp, sp - sq) + 0.5 * z * z
    return scalar_or_array(d.reshape(shape))


def kl_std_normal(mu: ArrayLike, log_var: ArrayLike, *, axis: int | None = -1):
    r"""The VAE's KL term :math:`D(\mathcal N(\mu, \operatorname{diag} e^{\text{log\_var}}) \| \mathcal N(0, I))`.

    Parameters
    ----------
    mu : array_like
        Means of the diagonal Gaussian (e.g. an encoder's output), finite.
    log_var : array_like
        Log-variances :math:`\log \sigma_j^2`, finite; broadcasts with `mu`.
    axis : int or None, keyword-only
        Axis of the latent dimensions, summed over (default: the last). ``None``
        returns the per-dimension terms without summing.

    Returns
    -------
    kl : numpy.float64 or ndarray
        :math:`\tfrac12 \sum_j [\psi(\log\sigma_j^2) + \mu_j^2]`, in nats; :math:`\ge 0`.

    Raises
    ------
    ValueError
        If an entry is not finite, the arguments do not broadcast, or `axis` is out
        of range.

    Notes
    -----
    The usual expression :math:`-\tfrac12 \sum_j (1 + \log\sigma_j^2 - \mu_j^2 - \sigma_j^2)`
    is the same quantity, but each of its terms is a difference that cancels as
    :math:`\sigma_j^2 \to 1`; here each latent dimension contributes
    :math:`\tfrac12[\psi(\log\sigma_j^2) + \mu_j^2] \ge 0` with
    :math:`\psi(u) = e^u - 1 - u` evaluated accurately. A dimension whose term is
    near zero is one whose posterior equals the prior: an inactive unit
    (chapter 5).

    Derived in chapters 4 and 5.

    References
    ----------
    .. [1] D. P. Kingma and M. Welling, "Auto-Encoding Variational Bayes",
           ICLR 2014, Appendix B.

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes import kl_std_normal
    >>> float(kl_std_normal([0.0, 1.0], [0.0, 0.0]))
    0.5
    >>> kl_std_normal(np.zeros((2, 3)), np.log([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]))
    array([0.        , 0.46027923])
    """
    m = as_float_array(mu, "mu")
    lv = as_float_array(log_var, "log_var")
    check_finite(m, "mu")
    check_finite(lv, "log_var")
    try:
        m, lv = np.broadcast_arrays(m, lv)
    except ValueError as exc:
        raise ValueError(f"mu and log_var must broadcast against each other; got shapes {m.shape} and {lv.shape}") from exc
    with np.errstate(over="ignore"):
        terms = 0.5 * (_psi(np.atleast_1d(lv).ravel()).reshape(lv.shape) + m * m)
    if axis is None:
        return scalar_or_array(terms)
    if terms.ndim == 0:
        raise ValueError(f"axis={axis} needs at least 1-D mu/log_var; got scalars (use axis=None)")
    return scalar_or_array(np.sum(terms, axis=normalize_axis(axis, terms.ndim)))


def _check_cov(cov: NDArray[np.float64], name: str, d: int) -> NDArray[np.float64]:
    if cov.shape != (d, d):
        raise ValueError(f"{name} must have shape ({d}, {d}) to match the mean; got {cov.shape}")
    check_finite(cov, name)
    asym = np.max(np.abs(cov - cov.T))
    scale = np.max(np.abs(cov))
    if asym > SYM_RTOL * scale:
        i, j = np.unravel_index(int(np.argmax(np.abs(cov - cov.T))), cov.shape)
        raise ValueError(
            f"{name} must be symmetric (relative tolerance {SYM_RTOL:g}); "
            f"{name}[{i}, {j}]={float(cov[i, j])!r} but {name}[{j}, {i}]={float(cov[j, i])!r}"
        )
    return 0.5 * (cov + cov.T)


def _cholesky(cov: NDArray[np.float64], name: str) -> NDArray[np.float64]:
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        eig = np.linalg.eigvalsh(cov)
        raise ValueError(
            f"{name} must be positive definite; its smallest eigenvalue is {float(eig[0])!r}"
        ) from None


def kl_mvn(mu_p: ArrayLike, cov_p: ArrayLike, mu_q: ArrayLike, cov_q: ArrayLike):
    r"""KL divergence between multivariate normals, :math:`D(\mathcal N(\mu_p,\Sigma_p) \| \mathcal N(\mu_q,\Sigma_q))`.

    Parameters
    ----------
    mu_p, mu_q : array_like, shape (d,)
        Means, finite.
    cov_p, cov_q : array_like, shape (d, d)
        Covariance matrices: finite, symmetric to a relative tolerance of
        ``1e-10`` (of the largest entry; the symmetric part is used), and positive
        definite.

    Returns
    -------
    kl : numpy.float64
        In nats; :math:`\ge 0`, exactly ``0.0`` for equal parameters.

    Raises
    ------
    ValueError
        If a mean is not 1-D and finite, a covariance has the wrong shape, a
        non-finite entry, is not symmetric, or is not positive definite (the message
        gives its smallest eigenvalue).

    Notes
    -----
    The closed form is

    .. math:: \tfrac12\big[\operatorname{tr}(\Sigma_q^{-1}\Sigma_p)
              + (\mu_q - \mu_p)^\top \Sigma_q^{-1} (\mu_q - \mu_p) - d
              + \log\det\Sigma_q - \log\det\Sigma_p\big].

    With the Cholesky factor :math:`\Sigma_q = LL^\top` and
    :math:`B = L^{-1}(\Sigma_p - \Sigma_q)L^{-\top}` (two triangular solves, no
    inverse), the eigenvalues :math:`\lambda_i = 1 + t_i` of
    :math:`L^{-1}\Sigma_p L^{-\top}` give
    :math:`\operatorname{tr} - d - \log\det = \sum_i (t_i - \log(1 + t_i)) = \sum_i \psi(\log\lambda_i)`,
    and with :math:`z = L^{-1}(\mu_q - \mu_p)`,

    .. math:: D = \tfrac12 \Big[\sum_i \psi(\log \lambda_i) + \lVert z\rVert^2\Big],

    a sum of non-negative terms. Because :math:`t_i` are the eigenvalues of a
    matrix built from :math:`\Sigma_p - \Sigma_q`, nearly equal covariances keep
    their relative precision. Cost: :math:`O(d^3)`.

    Derived in chapter 4.

    References
    ----------
    .. [1] S. Kullback, *Information Theory and Statistics*, Wiley, 1959,
           chapter 9, eq. (1.4).

    Examples
    --------
    >>> import numpy as np
    >>> from klnotes import kl_mvn
    >>> print(f"{kl_mvn([0.0, 0.0], np.eye(2), [1.0, 0.0], 2.0 * np.eye(2)):.12f}")
    0.443147180560
    """
    mp = as_float_array(mu_p, "mu_p")
    mq = as_float_array(mu_q, "mu_q")
    if mp.ndim != 1:
        raise ValueError(f"mu_p must be 1-D (one mean vector); got shape {mp.shape}")
    if mq.shape != mp.shape:
        raise ValueError(f"mu_q must have the shape of mu_p, {mp.shape}; got {mq.shape}")
    check_finite(mp, "mu_p")
    check_finite(mq, "mu_q")
    d = mp.shape[0]
    cp = _check_cov(as_float_array(cov_p, "cov_p"), "cov_p", d)
    cq = _check_cov(as_float_array(cov_q, "cov_q"), "cov_q", d)
    _cholesky(cp, "cov_p")
    lq = _cholesky(cq, "cov_q")
    half = linalg.solve_triangular(lq, cp - cq, lower=True)
    b = linalg.solve_triangular(lq, half.T, lower=True)
    t = np.linalg.eigvalsh(0.5 * (b + b.T))
    z = linalg.solve_triangular(lq, mq - mp, lower=True)
    if np.all(t > -0.999):
        eig_terms = float(np.sum(_xmlog1p(t)))
    else:
        # Sigma_p nearly singular relative to Sigma_q: 1 + t has lost its digits, so
        # take log det from the Cholesky factors instead.
        lp = np.linalg.cholesky(cp)
        logdet_ratio = 2.0 * (np.sum(np.log(np.diag(lp))) - np.sum(np.log(np.diag(lq))))
        eig_terms = float(np.trace(b) - logdet_ratio)
    return np.float64(0.5 * (eig_terms + float(z @ z)))
