"""The teacher's kit, graded as a teacher would grade it (otter-grader, offline).

Run after ``scripts/build_assignments.py`` with the teacher tools installed
(``requirements-teacher.txt``). Grading uses ``otter run``, which needs no
server and no network.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT / "_build" / "assignments"
SHEETS = sorted(p.stem for p in (ROOT / "labs").glob("[0-9][0-9]_*.md"))
OTTER = Path(sys.executable).with_name("otter")
QUESTION_RE = re.compile(r"^name: (q\S+)$", re.M)


def questions(sheet: str) -> list[str]:
    return QUESTION_RE.findall((ROOT / "labs" / f"{sheet}.md").read_text())


def by_question(results: Path) -> dict[str, dict]:
    tests = json.loads(results.read_text())["tests"]
    return {t["name"]: t for t in tests if "max_score" in t}


def grade(sheet: str, submission: Path) -> dict[str, dict]:
    """Grade a notebook with the sheet's autograder; results by question."""
    zipped = KIT / sheet / "autograder" / "autograder.zip"
    out = submission.parent
    otter = [str(OTTER), "run", "-a", str(zipped), "-o", str(out)]
    subprocess.run([*otter, str(submission)], check=True, capture_output=True)
    return by_question(out / "results.json")


def solution(sheet: str) -> nbformat.NotebookNode:
    path = KIT / sheet / "autograder" / f"{sheet}.ipynb"
    return nbformat.read(path, as_version=4)


def test_every_chapter_has_a_sheet() -> None:
    chapters = sorted(p.stem for p in (ROOT / "chapters").glob("[0-9]*.md"))
    assert SHEETS == chapters


@pytest.mark.parametrize("sheet", SHEETS)
def test_student_notebook_has_checks_and_no_solutions(sheet: str) -> None:
    student = KIT / sheet / "student"
    nb = nbformat.read(student / f"{sheet}.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in nb.cells)
    names = questions(sheet)
    assert len(names) >= 3
    for name in names:
        assert f'grader.check("{name}")' in text
        assert (student / "tests" / f"{name}.py").is_file()
    # the setup cell fetches exactly these checks on Colab
    assert f"QUESTIONS = {names!r}" in text
    # no line of a reference solution reaches the students, and no hidden check
    source = jupytext.read(ROOT / "labs" / f"{sheet}.md")
    solution_lines = set()
    for cell in source.cells:
        inside = False
        for line in cell.source.splitlines():
            if "# BEGIN SOLUTION" in line:
                inside = True
            elif "# END SOLUTION" in line:
                inside = False
            elif inside or line.rstrip().endswith("# SOLUTION"):
                code = line.split("# SOLUTION")[0].strip()
                if len(code) > 12 and not code.endswith("= ..."):
                    solution_lines.add(code)
    assert solution_lines
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    leaked = sorted(s for s in solution_lines if s in code)
    assert not leaked, f"{sheet}: solution code in the student copy: {leaked}"
    checks = "".join(p.read_text() for p in (student / "tests").glob("*.py"))
    assert "hidden=True" not in checks and "hidden=False" in checks


@pytest.mark.parametrize("sheet", SHEETS)
def test_published_copy_is_current(sheet: str) -> None:
    built = KIT / sheet / "student"
    published = ROOT / "labs" / "student" / sheet
    files = sorted(p.relative_to(built) for p in built.rglob("*.py"))
    files.append(Path(f"{sheet}.ipynb"))
    for name in files:
        assert (published / name).read_text() == (built / name).read_text(), (
            f"labs/student/{sheet}/{name} is stale: run "
            "scripts/build_assignments.py --publish"
        )


@pytest.mark.parametrize("sheet", SHEETS)
def test_reference_solutions_get_full_marks(sheet: str) -> None:
    """As build_assignments.py graded them with the sheet's autograder."""
    results = by_question(KIT / sheet / "results.json")
    assert sorted(results) == sorted(questions(sheet))
    for name, result in results.items():
        assert result["score"] == result["max_score"] > 0, (name, result)


def _replace(nb: nbformat.NotebookNode, old: str, new: str) -> None:
    cells = [c for c in nb.cells if old in c.source]
    assert len(cells) == 1, old
    cells[0].source = cells[0].source.replace(old, new)


def test_wrong_and_failing_answers_get_partial_marks(tmp_path: Path) -> None:
    """Sheet 1 with an answer in nats instead of bits, a kl() that forgets the
    convention 0 log 0 = 0, and an answer cell that raises."""
    nb = solution("01_definition")
    _replace(nb, "np.log2(p / u)", "np.log(p / u)")
    _replace(
        nb,
        "    if np.any((p > 0) & (q == 0)):\n        return np.inf\n"
        "    keep = p > 0\n"
        "    return float(np.sum(p[keep] * np.log(p[keep] / q[keep])))",
        "    with np.errstate(all='ignore'):\n"
        "        return float(np.sum(p * np.log(p / q)))",
    )
    _replace(nb, "theta_hat = fit.x", "theta_hat = fit.not_an_attribute")
    path = tmp_path / "submission.ipynb"
    nbformat.write(nb, path)
    results = grade("01_definition", path)
    assert results["q1_loaded_die"]["score"] == 0
    assert "base-2 logarithms" in results["q1_loaded_die"]["output"]
    # two of the three checks of q2 pass: 2 of its 3 points
    assert results["q2_kl_function"]["score"] == pytest.approx(2.0)
    assert "0*log(0/q) gives nan" in results["q2_kl_function"]["output"]
    assert results["q3_max_likelihood"]["score"] == 0
    assert "0.214" not in results["q1_loaded_die"]["output"]  # the answer


def test_blank_student_notebook_scores_zero(tmp_path: Path) -> None:
    student = KIT / "01_definition" / "student"
    path = tmp_path / "01_definition.ipynb"
    path.write_bytes((student / "01_definition.ipynb").read_bytes())
    results = grade("01_definition", path)
    assert all(r["score"] == 0 for r in results.values())


def test_self_check_in_jupyter_says_right_or_gives_a_hint(
    tmp_path: Path,
) -> None:
    """Run the student notebook as a student would, with one right and one
    wrong answer: the check cells print a pass and a hint, not the solution."""
    from nbclient import NotebookClient

    student = KIT / "02_gibbs" / "student"
    work = tmp_path / "02_gibbs"
    work.mkdir()
    (work / "tests").mkdir()
    for test in (student / "tests").glob("*.py"):
        (work / "tests" / test.name).write_text(test.read_text())
    nb = nbformat.read(student / "02_gibbs.ipynb", as_version=4)
    _replace(
        nb,
        "tv = ...\nd = ...\npinsker_bound = ...",
        "tv = 0.3\nd = 0.0\npinsker_bound = 0.0",  # right, wrong, wrong
    )
    checks = [c for c in nb.cells if 'grader.check("q1_pinsker")' in c.source]
    nb.cells = nb.cells[: nb.cells.index(checks[0]) + 1]
    NotebookClient(
        nb, timeout=120, resources={"metadata": {"path": work}}
    ).execute()
    shown = json.dumps(checks[0].outputs)
    assert "sum of p*log(p/q) in nats" in shown  # the hint for d
    assert "0.2748" not in shown  # no expected value is printed
