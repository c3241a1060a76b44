"""The lab's prose is its own: no run of eight words is shared with a seed document.

Facts may come from the specification in ``../shared/seeds``; sentences may not. This walks the
reference entries and cheat sheet (``src/neuralab/content``), the README and every string literal
of the package (page text, captions, docstrings) and fails on any run of eight or more words,
mostly real words rather than symbols and numbers, that a seed also contains. The seeds live
beside the project, not in it: where they are absent (a clone on its own) the test says so and skips.
"""

from __future__ import annotations

import ast
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
N = 8
WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text.replace("\u2019", "'").replace("\u2018", "'"))]


def strings(path: pathlib.Path) -> list[str]:
    """Every string literal of a Python file; an f-string's placeholders break its text."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out, inside = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for v in node.values:
                if isinstance(v, ast.Constant):
                    inside.add(id(v))
                    parts.append(str(v.value))
                else:
                    parts.append(" \x00 ")
            out.append("".join(parts))
    out += [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in inside]
    return out


def prose(run: tuple[str, ...]) -> bool:
    """Mostly real words, not indices, symbols and numbers (formulas are facts)."""
    real = [w for w in run if len(w) >= 3 and not w.isdigit()]
    return len(real) >= max(5, len(run) * 2 // 3)


def texts() -> list[tuple[str, str]]:
    src = ROOT / "src" / "neuralab"
    out = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in sorted(src.rglob("*.md"))]
    out.append(("README.md", (ROOT / "README.md").read_text(encoding="utf-8")))
    for p in sorted(src.rglob("*.py")):
        out += [(str(p.relative_to(ROOT)), s) for s in strings(p)]
    return out


def shared_runs(text: str, seeds: set[tuple[str, ...]]) -> list[str]:
    w = words(text)
    return [" ".join(w[i:i + N]) for i in range(len(w) - N + 1) if tuple(w[i:i + N]) in seeds
            and prose(tuple(w[i:i + N]))]


def test_the_check_catches_a_copied_run_and_passes_our_own_words():
    seed = {tuple(words("the quick brown fox jumps over the lazy dog today"))[i:i + N] for i in range(3)}
    assert shared_runs("As they say, the quick brown fox jumps over the lazy dog.", seed)
    assert not shared_runs("A quick brown fox, they say, once jumped over a lazy dog.", seed)
    assert not shared_runs("x 1 2 3 4 5 6 7 8 9", {tuple("x 1 2 3 4 5 6 7".split())})  # a formula is a fact


def test_no_sentence_of_the_lab_repeats_a_seed():
    if not SEEDS.is_dir():
        pytest.skip(f"the seed documents are not beside this clone ({SEEDS})")
    seeds = set()
    for seed in sorted(SEEDS.glob("*.txt")):
        w = words(seed.read_text(encoding="utf-8", errors="replace"))
        seeds.update(tuple(w[i:i + N]) for i in range(len(w) - N + 1))
    copied = [(where, run) for where, text in texts() for run in shared_runs(text, seeds)]
    assert copied == [], "say these in the lab's own words:\n" + "\n".join(f"{w}: {r}" for w, r in copied[:20])
