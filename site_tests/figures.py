"""The interactive figures, operated as a keyboard user does (test_browser.py, on the
page's one load at each width).

Each chapter has at least one figure made by ``klnotes.interactive.show``. For each,
``_operate`` reaches the slider with Tab, moves it with the arrow keys, and checks that
the figure changed, that the value beside the slider is the slider's, and that the
numbers the figure shows for the new setting are those klnotes computes here, in this
process (``EXPECTED``). Screenshots of every figure at both widths go to
``_build/screenshots/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from scipy import stats
from sitepaths import RENDER_MS, SCREENSHOTS, VIEWPORTS, drawn

import klnotes
from klnotes.models.bandit import ascend_surrogate

PRESSES = 3  # arrow-key presses per direction


def _ch1(q: float) -> list[str]:
    """Chapter 1: surprise, cross-entropy and D(P||Q) for the 0.6 coin and model q."""
    p, model = [0.6, 0.4], [q, 1 - q]
    heads = klnotes.cross_entropy([1.0, 0.0], model)  # the surprise -log q
    tails = klnotes.cross_entropy([0.0, 1.0], model)
    return [
        f"surprise: heads {heads:.3f}, tails {tails:.3f}",
        f"= {klnotes.cross_entropy(p, model):.3f} nats",
        f"D(P‖Q) = H× − H(P) = {klnotes.kl_discrete(p, model):.3f} nats",
    ]


def _ch2_jensen(t: float) -> list[str]:
    """Chapter 2: Jensen's gap D(P||Q) for Q = (1 - t) P + t R."""
    p, r = np.array([0.5, 0.3, 0.2]), np.array([0.1, 0.2, 0.7])
    q = (1 - t) * p + t * r
    d, mean = klnotes.kl_discrete(p, q), np.sum(p * (q / p))
    return [
        f"E_P[−log(q/p)] = D(P‖Q) = {d:.3f}",
        f"−log E_P[q/p] = −log {mean:.3f}",
    ]


def _ch2_pinsker(v: float) -> list[str]:
    """Chapter 2: D, TV and the two bounds for the coins at total variation v."""
    p, q = [(1 + v) / 2, (1 - v) / 2], [(1 - v) / 2, (1 + v) / 2]
    d, tv = klnotes.kl_discrete(p, q), klnotes.tv_distance(p, q)
    return [
        f"D(P‖Q) = {d:.3f} nats, TV = {tv:.3f}",
        f"Pinsker: TV ≤ {np.sqrt(d / 2):.3f}",
        f"Bretagnolle–Huber: TV ≤ {np.sqrt(1 - np.exp(-d)):.3f}",
    ]


def _ch3(a: float) -> list[str]:
    """Chapter 3: the forward fit's D(P||Q) at half-separation a."""
    fwd = stats.norm(-0.2 * a, np.sqrt(1 + 0.96 * a**2))
    d, _ = klnotes.kl_quad(
        lambda x: klnotes.mixture_logpdf(x, [0.6, 0.4], [-a, a], [1.0, 1.0]),
        fwd.logpdf,
        lower=-a - 40,
        upper=a + 40,
        points=[-a, a],
    )
    return [f"D(P‖Q) = {d:.3f}"]


def _ch4(sigma: float, mu: float = 1.0) -> list[str]:
    """Chapter 4: both divergences between N(mu, sigma^2) and N(0, 1), split
    into the scale term (equal means) and the location term (equal scales);
    the slider moved is sigma's, mu stays at its initial 1."""
    texts = []
    for name, (m1, s1, m2, s2) in (
        ("P‖Q", (mu, sigma, 0.0, 1.0)),
        ("Q‖P", (0.0, 1.0, mu, sigma)),
    ):
        scale = klnotes.kl_normal(m1, s1, m1, s2)
        location = klnotes.kl_normal(m1, s2, m2, s2)
        texts += [
            f"D({name}) = {klnotes.kl_normal(m1, s1, m2, s2):.3f}",
            f"= scale {scale:.3f} + location {location:.3f}",
        ]
    return texts


def _ch5(beta: float) -> list[str]:
    """Chapter 5: the optimal linear beta-VAE (s^2 = 0.3) for the chapter's
    source variances, in the source's eigenbasis. The rate is the KL between
    the encoder's joint N(0, [[O, OM], [MO, MOM + S]]) of (x, z) and the
    product of the data and the prior, that is E_x D(q(z|x) || p(z)); the
    squared error is E||x - Wz||^2 with the decoder W of the pPCA solution."""
    omega = np.array([4.0, 2.0, 0.9, 0.5, 0.2, 0.1])
    nu = round(0.3 * beta, 4)  # a level equal to a variance: collapsed
    active = omega > nu
    w = np.sqrt(np.where(active, omega - nu, 0.0))  # decoder weights
    m = w / omega  # encoder means m x_j; variances nu / omega, or 1
    v = np.where(active, nu / omega, 1.0)
    big_o, big_m, big_w = np.diag(omega), np.diag(m), np.diag(w)
    cov_z = big_m @ big_o @ big_m.T + np.diag(v)
    joint_q = np.block([[big_o, big_o @ big_m.T], [big_m @ big_o, cov_z]])
    zeros = np.zeros((6, 6))
    joint_p = np.block([[big_o, zeros], [zeros, np.eye(6)]])
    rate = klnotes.kl_mvn(np.zeros(12), joint_q, np.zeros(12), joint_p)
    error = np.trace(
        big_o - 2 * big_w @ big_m @ big_o + big_w.T @ big_w @ cov_z
    )
    return [
        f"ν = βs² = {nu:.3f} (dashed)",
        f"rate R = {rate:.3f} nats",
        f"squared error Δ = {error:.3f}",
        f"active directions: {int(active.sum())} of 6",
    ]


def _ch6(log_t: float) -> list[str]:
    """Chapter 6: D(old||new) after 10**log_t epochs, clipped and penalised."""
    epochs = round(10**log_t)
    old = np.log([[0.85, 0.10, 0.05]])
    texts = [f"after {epochs} epochs"]
    for name, kw in (
        ("clipped", {"clip_eps": 0.2}),
        ("penalty", {"beta": 1.0}),
    ):
        z, _ = ascend_surrogate(
            old, [0], [0], [1.0], epochs=epochs, step=1.0, **kw
        )
        d = klnotes.kl_logits(old[0], z[0])
        texts.append(f"{name}: D(old‖new) = {d:.3f}")
    return texts


def _ch7(alpha: float) -> list[str]:
    """Chapter 7: the Rényi divergence of order alpha of the chapter's pair 1."""
    rng = np.random.default_rng(5)
    p, q = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(4))
    return [
        f"D_α = chord slope = {klnotes.renyi_divergence(p, q, alpha):.3f}",
        f"KL = tangent slope = {klnotes.kl_discrete(p, q):.3f}",
    ]


def _ch7_family(log_q: float) -> list[str]:
    """Chapter 7: six f-divergences between (1/2, 1/2) and (1 - q, q)."""
    p, q = np.array([0.5, 0.5]), np.array([1 - 10**log_q, 10**log_q])
    values = {
        "KL": klnotes.kl_discrete(p, q),
        "reverse KL": klnotes.kl_discrete(q, p),
        "JS": klnotes.js_divergence(p, q),
        "TV": klnotes.tv_distance(p, q),
        "Hel²": klnotes.hellinger_sq(p, q),
        "χ²": klnotes.chi2_divergence(p, q),
    }
    return [f"{name} = {d:.3g}" for name, d in values.items()]


# chapter stem -> {figure name: the texts the figure must show at a slider value}
EXPECTED: dict[str, dict[str, Callable[[float], list[str]]]] = {
    "01_definition": {"surprise": _ch1},
    "02_gibbs": {"jensen-gap": _ch2_jensen, "pinsker": _ch2_pinsker},
    "03_forward_reverse": {"separation": _ch3},
    "04_gaussian": {"gauss-directions": _ch4},
    "05_vae": {"water-filling": _ch5},
    "06_policy_optimisation": {"ppo-clip": _ch6},
    "07_beyond_kl": {"renyi-chord": _ch7, "f-family": _ch7_family},
}
# The focusable elements in document order, and the one before `el`: pressing Tab
# there must reach `el` (it is in the tab order, not skipped or hidden).
FOCUS_BEFORE = """el => {
  const all = [...document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]')]
    .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length);
  const i = all.indexOf(el);
  for (let j = i - 1; j >= 0; j--) {  // the nearest one that takes focus
    all[j].focus();
    if (document.activeElement === all[j]) break;
  }
  return i;
}"""
FIGURE_STATE = """fig => ({
  svg: fig.querySelector('svg') && fig.querySelector('svg').outerHTML,
  texts: [...fig.querySelectorAll('svg text')].map(t => t.textContent),
  right: fig.getBoundingClientRect().right,
  overflow: fig.scrollWidth - fig.clientWidth,
  shown: (fig.querySelector('.vega-bind span:last-child') || {}).textContent,
})"""


# The expected texts a figure does not show. A text is shown by one of its SVG
# texts that is the text, or ends with it after a label and ": " (so "KL = 0.5"
# matches neither "reverse KL = 0.5" nor "KL = 0.51").
MISSING = """(fig, texts) => {
  const lines = [...fig.querySelectorAll('svg text')].map(t => t.textContent);
  return texts.filter(t => !lines.some(l => l === t || l.endsWith(': ' + t)));
}"""
# True once the figure's SVG differs from `svg` and shows every text
SETTLED = f"""([fig, svg, texts]) => {{
  const now = fig.querySelector('svg');
  return now && now.outerHTML !== svg && !({MISSING})(fig, texts).length;
}}"""


def _operate(page, fig, size: str, expected) -> None:
    """Reach the figure's slider with Tab, move it with the arrow keys, read the figure."""
    name = fig.get_attribute("id")
    slider = fig.locator("input[type=range]")
    assert slider.count() >= 1, f"{name} has no slider"
    slider = slider.first
    slider.scroll_into_view_if_needed()

    # reached with Tab; an accessible name; the value shown beside it
    assert slider.evaluate(FOCUS_BEFORE) >= 0, f"{name}: slider not focusable"
    page.keyboard.press("Tab")
    assert slider.evaluate("el => el === document.activeElement"), (
        f"Tab does not reach the slider of {name}"
    )
    label = slider.evaluate(
        "el => el.labels.length && el.labels[0].textContent"
    )
    assert label and re.search("[A-Za-z]", label), (
        f"{name}: slider without a name"
    )

    before = fig.evaluate(FIGURE_STATE)
    low, high = (
        float(slider.get_attribute("min")),
        float(slider.get_attribute("max")),
    )
    key = "ArrowRight" if float(slider.input_value()) < high else "ArrowLeft"
    for _ in range(PRESSES):
        page.keyboard.press(key)
    value = float(slider.input_value())
    want = expected(value)
    try:  # until the figure shows the new setting, however busy the machine
        arg = [fig.element_handle(), before["svg"], want]
        page.wait_for_function(
            SETTLED, arg=arg, timeout=RENDER_MS, polling=100
        )
    except PlaywrightTimeout:
        pass  # the checks below say what is wrong
    after = fig.evaluate(FIGURE_STATE)
    missing = fig.evaluate(MISSING, want)
    fig.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"))

    assert low <= value <= high and value != float(before["shown"]), (
        f"{key} did not move the slider of {name}"
    )
    assert after["svg"] != before["svg"], f"{name} did not change"
    assert float(after["shown"]) == value, (
        f"{name}: the value shown ({after['shown']}) is not the slider's ({value})"
    )
    assert not missing, (
        f"{name} at {value} lacks {missing}; shows {after['texts']}"
    )
    screen = VIEWPORTS[size]["viewport"]["width"]
    assert after["right"] <= screen and after["overflow"] <= 1, (
        f"{name} wider than the screen at {size}"
    )


def operate_all(page, rel: str, size: str) -> list[str]:
    """Operate every figure of chapter ``rel``; what failed, one line per figure."""
    figures = EXPECTED.get(Path(rel).stem)
    if not figures:
        return [f"{rel}: no interactive figure is listed for it"]
    problems = []
    for name, expected in figures.items():
        fig = page.locator(f"#klnotes-fig-{name}")
        try:
            drawn(fig)
            _operate(page, fig, size, expected)
        except Exception as e:  # noqa: BLE001 (each figure's, reported)
            problems.append(f"{name}: {type(e).__name__}: {e}")
    return problems
