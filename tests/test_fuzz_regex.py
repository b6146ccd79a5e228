"""Every regular expression of the package against its worst cases: no super-linear time.

The patterns are found, not listed by hand: every string literal passed to ``re.compile``,
``re.search``, ``re.sub`` ... in ``evidextract/`` (read with ``ast``), every compiled pattern a
module holds at run time, the tokenizer's prefix/suffix/infix expressions and the section
labels. Each is run the way the package calls it (``re.fullmatch(...)`` as a full match,
``PATTERN.sub(...)`` as a substitution; patterns built at run time with ``search``,
``finditer`` and ``sub``) over long runs of characters chosen to make a backtracking engine
stumble (runs of its own literal characters, digits, spaces, brackets, ``±``, ``%``, dashes,
control characters); a run four times longer must take less than ten times as long
(linear: 4, quadratic: 16), with a noise floor. spaCy's own tokenizer expressions only ever
see runs of at most ``MAX_RUN`` characters (see ``RunLimitedTokenizer``); the tokenizer as
a whole is checked for linear time in ``test_fuzz_extract.py``.
"""

import ast
import importlib
import pkgutil
import re
import time
from pathlib import Path

import pytest

import evidextract

PACKAGE = Path(evidextract.__file__).resolve().parent
RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "sub", "subn", "findall",
                "finditer", "split"}
FLAG_NAMES = {"I": re.I, "IGNORECASE": re.I, "M": re.M, "MULTILINE": re.M, "S": re.S,
              "DOTALL": re.S, "X": re.X, "VERBOSE": re.X, "A": re.A, "ASCII": re.A,
              "U": re.U, "UNICODE": re.U}

# Units repeated to build adversarial text; the pattern's own literal characters are added.
UNITS = ["1", "1 ", "a", "a ", " ", "\t", "\n", "(", "((", ")", "1.", "1,", ".", "-", "—", "±",
         "%", "1%", "<", "p<", "= ", ":", ";", "/", "&", "&#", "<b>", "</", "\x00", "Ã©", "·",
         "A1", "Results: ", "10.1000/", "-- ", "  - ", "\\", '"', "'", "{", "}", "[", "]", "@",
         "#", "TY  - ", "0-"]
SMALL, LARGE = 2000, 8000  # repetitions: LARGE is 4 times SMALL
NOISE_FLOOR = 0.03  # seconds: below this at LARGE the pattern is fast whatever the ratio


def _flags(node) -> int:
    if node is None:
        return 0
    if isinstance(node, ast.Attribute) and node.attr in FLAG_NAMES:
        return FLAG_NAMES[node.attr]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _flags(node.left) | _flags(node.right)
    return 0


def _compiled_names(tree):
    """``{global name: method names called on it}`` for ``NAME = re.compile(...)``."""
    names = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Attribute)
                and node.value.func.attr == "compile"):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id in names):
            names[node.func.value.id].add(node.func.attr)
    return names


def _literal_patterns():
    """``{where: (pattern, operations)}`` for every string literal given to ``re``."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        methods = _compiled_names(tree)
        targets = {id(node.value): node.targets[0].id for node in tree.body
                   if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                   and node.targets[0].id in methods}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                    and node.func.attr in RE_FUNCTIONS and node.args):
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            flag_node = next((k.value for k in node.keywords if k.arg == "flags"), None)
            if flag_node is None and node.func.attr == "compile" and len(node.args) > 1:
                flag_node = node.args[1]
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            if node.func.attr == "compile":
                operations = methods.get(targets.get(id(node)), set()) or DEFAULT_OPERATIONS
            else:
                operations = {node.func.attr}
            found[where] = (re.compile(first.value, _flags(flag_node)), operations)
    return found


def _runtime_patterns(literal):
    """Compiled patterns held by the package's modules (not found as literals), and the
    section labels' pattern."""
    known = {pattern.pattern for pattern, _ in literal.values()}
    found = {}
    for info in pkgutil.walk_packages(evidextract.__path__, "evidextract."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and value.pattern not in known:
                found.setdefault(f"{info.name}.{name}", (value, DEFAULT_OPERATIONS))
    from evidextract.io import _sections

    label = getattr(_sections, "_label_pattern", None)
    if callable(label):
        try:
            value = label()
        except TypeError:
            value = None
        if isinstance(value, re.Pattern):
            found["io._sections._label_pattern()"] = (value, DEFAULT_OPERATIONS)
    return found


DEFAULT_OPERATIONS = {"search", "finditer", "sub"}
LITERAL = _literal_patterns()
PATTERNS = {**LITERAL, **_runtime_patterns(LITERAL)}


def _own_units(pattern: re.Pattern) -> list[str]:
    """Literal characters of the pattern, alone and after a digit."""
    chars = {c for c in re.sub(r"\\.", "", pattern.pattern) if not c.isspace()}
    chars -= set("()[]{}?*+|^$")
    return sorted(chars)[:12]


def _exercise(pattern: re.Pattern, operations, text: str) -> None:
    for operation in operations:
        if operation in ("sub", "subn"):
            pattern.sub("", text)
        elif operation in ("finditer", "findall", "split"):
            for _ in pattern.finditer(text):
                pass
        elif operation in ("search", "match", "fullmatch"):
            getattr(pattern, operation)(text)


def _seconds(pattern, text) -> float:
    pattern, operations = pattern
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        _exercise(pattern, operations, text)
        best = min(best, time.perf_counter() - start)
    return best


def test_fuzz_regex_discovery_finds_the_package_patterns():
    assert len(PATTERNS) >= 40
    sources = {where.split(":")[0] for where in PATTERNS}
    assert any("io/_records.py" in s for s in sources)
    assert "io._sections._label_pattern()" in PATTERNS
    operations = {where: ops for where, (_, ops) in PATTERNS.items()}
    assert any(ops == {"fullmatch"} for ops in operations.values())


@pytest.mark.parametrize("where", sorted(PATTERNS))
def test_fuzz_regex_worst_case_time_is_linear(where):
    pattern = PATTERNS[where]
    own = _own_units(pattern[0])
    slow = []
    for unit in UNITS + own + [c + "1" for c in own]:
        large = _seconds(pattern, unit * LARGE)
        if large < NOISE_FLOOR:
            continue
        small = _seconds(pattern, unit * SMALL)
        # Linear: 4x; quadratic: 16x. Generous: 10x, confirmed once against noise.
        if large > 10 * small and _seconds(pattern, unit * LARGE) > 10 * _seconds(
                pattern, unit * SMALL):
            slow.append((unit, round(small, 4), round(large, 4)))
    assert not slow, f"{where} {pattern[0].pattern[:80]!r} is super-linear on {slow}"
