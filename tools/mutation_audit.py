"""Single-point mutation audit of library modules against the tests that exercise them.

Run in a scratch copy of the repository: the modules are rewritten in place, one mutant
at a time, and restored afterwards (also on SIGTERM)::

    python tools/mutation_audit.py list code/gdbook/nesterov.py
    python tools/mutation_audit.py map --out map.json --modules M1 M2 -- TESTS...
    python tools/mutation_audit.py run --map map.json --out results.jsonl \
        --sample 250 --seed 0 --modules M1 M2
    python tools/mutation_audit.py report results.jsonl

``list`` prints the mutants. ``map`` runs the tests once, with every cache of the loaded
``gdbook`` modules cleared before each test (the experiments are cached per process), and
records which tests run each function of the modules. ``run`` applies each mutant and
runs, with ``-x``, only the tests mapped to the innermost function around it; a mutant of
a module-level constant gets the tests of the functions and test functions that read its
name (followed through the constants built from it). A failure, an error (an import that
fails, say) or a timeout counts as caught; the results file is appended to, so a run
resumes, and the sample runs in a random order, so a run stopped early is still a
uniform sample. ``report`` counts the statuses and lists the mutants that were not caught.

Mutants: ``+``/``-``, ``*``/``/``, ``<``/``<=``, ``>``/``>=``, ``==``/``!=``
(also in augmented assignments), ``and``/``or``, a number ``c -> c + 1`` (integers)
or ``c * 1.01`` (floats; ``0.0 -> 1.0``), ``True``/``False``, a unary minus dropped,
``x + 1``/``x - 1`` -> ``x``. Strings, docstrings, annotations and the arguments of
``raise`` are never mutated.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

SWAP_BINOP: dict[type[ast.operator], tuple[type[ast.operator], str, str]] = {
    ast.Add: (ast.Sub, "+", "-"),
    ast.Sub: (ast.Add, "-", "+"),
    ast.Mult: (ast.Div, "*", "/"),
    ast.Div: (ast.Mult, "/", "*"),
}
SWAP_CMP: dict[type[ast.cmpop], tuple[str, str]] = {
    ast.Lt: ("<", "<="),
    ast.LtE: ("<=", "<"),
    ast.Gt: (">", ">="),
    ast.GtE: (">=", ">"),
    ast.Eq: ("==", "!="),
    ast.NotEq: ("!=", "=="),
}
SWAP_BOOL = {ast.And: ("and", "or"), ast.Or: ("or", "and")}


class Mutant(NamedTuple):
    """One edit of one file: replace ``source[start:end]`` by ``text``."""

    path: str
    line: int
    start: int
    end: int
    text: str
    description: str
    scope: str  # "path:firstlineno" of the innermost function, or "path:module"


def _offsets(source: str) -> list[int]:
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line.encode()))
    return starts


class _Collector(ast.NodeVisitor):
    def __init__(self, path: str, source: str) -> None:
        self.path = path
        self.source = source
        self.raw = source.encode()
        self.starts = _offsets(source)
        self.scopes: list[str] = [f"{path}:module"]
        self.mutants: list[Mutant] = []

    # positions ---------------------------------------------------------------------
    def _pos(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col

    def _span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self._pos(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self._pos(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )

    def _text(self, start: int, end: int) -> str:
        return self.raw[start:end].decode()

    def _add(self, node: ast.AST, start: int, end: int, text: str, description: str) -> None:
        line = node.lineno  # type: ignore[attr-defined]
        self.mutants.append(Mutant(self.path, line, start, end, text, description, self.scopes[-1]))

    def _operator(self, left: ast.AST, right: ast.AST, token: str) -> tuple[int, int] | None:
        """Span of ``token`` between the end of ``left`` and the start of ``right``."""
        lo = self._span(left)[1]
        hi = self._span(right)[0]
        gap = self._text(lo, hi)
        # skip parentheses and comments: the operator is the token outside them
        index = gap.find(token)
        while index >= 0:
            after = gap[index + len(token) : index + len(token) + 1]
            before = gap[index - 1 : index] if index else ""
            if after not in "*/=<>" and before not in "*/=<>!":
                return lo + len(gap[:index].encode()), lo + len(gap[: index + len(token)].encode())
            index = gap.find(token, index + 1)
        return None

    # scopes and skipped parts ------------------------------------------------------
    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        if isinstance(node, ast.Lambda):
            first = node.lineno
        else:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            for decorator in node.decorator_list:
                self.visit(decorator)
        # defaults are evaluated once, but they act through the function's calls
        self.scopes.append(f"{self.path}:{first}")
        self._arguments(node.args)
        if isinstance(node, ast.Lambda):
            self.visit(node.body)
        else:
            self._body(node.body)
        self.scopes.pop()

    def _arguments(self, args: ast.arguments) -> None:
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                self.visit(default)

    def _body(self, body: list[ast.stmt]) -> None:
        for index, statement in enumerate(body):
            is_docstring = (
                index == 0
                and isinstance(statement, ast.Expr)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            )
            if not is_docstring:
                self.visit(statement)

    def visit_Module(self, node: ast.Module) -> None:
        self._body(node.body)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._body(node.body)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)

    def visit_Raise(self, node: ast.Raise) -> None:
        return

    def visit_Import(self, node: ast.Import) -> None:
        return

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        return

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        return

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        self.generic_visit(node)

    # mutations ---------------------------------------------------------------------
    def visit_BinOp(self, node: ast.BinOp) -> None:
        swap = SWAP_BINOP.get(type(node.op))
        if swap is not None:
            span = self._operator(node.left, node.right, swap[1])
            if span is not None:
                self._add(node, *span, swap[2], f"{swap[1]} -> {swap[2]}")
            one = node.right
            if isinstance(one, ast.Constant) and one.value == 1 and swap[1] in "+-":
                start, end = self._span(node)
                left = self._text(*self._span(node.left))
                self._add(node, start, end, f"({left})", f"x {swap[1]} 1 -> x")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        swap = SWAP_BINOP.get(type(node.op))
        if swap is not None:
            span = self._operator(node.target, node.value, swap[1] + "=")
            if span is not None:
                self._add(node, *span, swap[2] + "=", f"{swap[1]}= -> {swap[2]}=")
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        left: ast.AST = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            swap = SWAP_CMP.get(type(op))
            if swap is not None:
                span = self._operator(left, right, swap[0])
                if span is not None:
                    self._add(node, *span, swap[1], f"{swap[0]} -> {swap[1]}")
            left = right
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        token, other = SWAP_BOOL[type(node.op)]
        for left, right in zip(node.values, node.values[1:], strict=False):
            lo, hi = self._span(left)[1], self._span(right)[0]
            gap = self._text(lo, hi)
            index = gap.find(token)
            if index >= 0:
                start = lo + len(gap[:index].encode())
                self._add(node, start, start + len(token), other, f"{token} -> {other}")
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.USub):
            start, end = self._span(node)
            operand = self._text(*self._span(node.operand))
            self._add(node, start, end, f"({operand})", "drop unary -")
            if isinstance(node.operand, ast.Constant):
                return  # -c: the constant's own mutants would repeat the above
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        start, end = self._span(node)
        if isinstance(value, bool):
            self._add(node, start, end, str(not value), f"{value} -> {not value}")
        elif isinstance(value, int):
            self._add(node, start, end, str(value + 1), f"{value} -> {value + 1}")
        elif isinstance(value, float):
            new = value * 1.01 if value != 0.0 else 1.0
            self._add(node, start, end, repr(new), f"{value!r} -> {new!r}")


def mutants_of(path: str) -> list[Mutant]:
    """Every mutant of the file at ``path`` that still compiles."""
    source = Path(path).read_text()
    collector = _Collector(path, source)
    collector.visit(ast.parse(source))
    raw = source.encode()
    kept = []
    for mutant in collector.mutants:
        try:
            compile(apply(raw, mutant), path, "exec")
        except SyntaxError:
            continue
        kept.append(mutant)
    return kept


def apply(raw: bytes, mutant: Mutant) -> bytes:
    """The file's bytes with the mutant's edit."""
    return raw[: mutant.start] + mutant.text.encode() + raw[mutant.end :]


# --------------------------------------------------------------------------------------
# Mapping functions to tests: a pytest plugin, loaded with ``-p mutation_audit``
# --------------------------------------------------------------------------------------

CALLS: dict[str, set[str]] = {}


def _clear_caches() -> None:
    for name, module in list(sys.modules.items()):
        if not name.startswith("gdbook"):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Record the modules' functions that run during ``item``."""
    modules = [m for m in os.environ["MUTATION_MODULES"].split(os.pathsep) if m]
    targets = {os.path.abspath(m): os.path.normpath(m) for m in modules}
    seen: set[str] = set()

    def tracer(frame: Any, event: str, arg: Any) -> None:
        code = frame.f_code
        if event == "call" and code.co_filename in targets:
            seen.add(f"{targets[code.co_filename]}:{code.co_firstlineno}")

    _clear_caches()
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(None)
    node = item.nodeid.split("[")[0]
    for key in seen:
        CALLS.setdefault(key, set()).add(node)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the map to ``MUTATION_MAP``."""
    out = os.environ.get("MUTATION_MAP")
    if out:
        Path(out).write_text(json.dumps({k: sorted(v) for k, v in CALLS.items()}, indent=1))


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def _pytest(args: list[str], env: dict[str, str], timeout: float) -> tuple[str, float]:
    begin = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *args]
    try:
        done = subprocess.run(
            command, env=env, timeout=timeout, capture_output=True, text=True, check=False
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - begin
    status = {0: "survived", 1: "caught", 5: "no tests"}.get(
        done.returncode, f"error {done.returncode}"
    )
    return status, time.monotonic() - begin


def _names(node: ast.AST) -> set[str]:
    """Every name ``node`` reads, bare or as an attribute (``lib.NAME``)."""
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
    return found


def _assigned(statement: ast.stmt) -> set[str]:
    if isinstance(statement, ast.Assign):
        return {t.id for t in statement.targets if isinstance(t, ast.Name)}
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return {statement.target.id}
    return set()


def _module_level_tests(mutant: Mutant, calls: dict[str, list[str]]) -> list[str]:
    """Tests of a module-level constant: those of the functions and tests that read it.

    The constant's name is followed through the module's other constants built from it;
    a mutant outside a plain assignment (a class body, say) gets every mapped test.
    """
    module_path = os.path.normpath(mutant.path)  # the keys of the map are relative
    mapped = {t for k, v in calls.items() if k.startswith(module_path + ":") for t in v}
    tree = ast.parse(Path(mutant.path).read_text())
    statement = next(s for s in tree.body if s.lineno <= mutant.line <= (s.end_lineno or s.lineno))
    names = _assigned(statement)
    if not names:
        return sorted(mapped)
    constants = [(s, _assigned(s)) for s in tree.body if _assigned(s)]
    grown = True
    while grown:
        grown = False
        for other, targets in constants:
            if targets - names and _names(other) & names:
                names |= targets
                grown = True
    tests: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _names(node) & names:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            tests.update(calls.get(f"{module_path}:{first}", []))
    every = {t for v in calls.values() for t in v}
    for test_file in sorted({t.split("::")[0] for t in every}):
        if not test_file.endswith(".py") or not Path(test_file).exists():
            continue
        for node in ast.parse(Path(test_file).read_text()).body:
            if not (isinstance(node, ast.FunctionDef | ast.ClassDef) and _names(node) & names):
                continue
            prefix = f"{test_file}::{node.name}"
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                tests.add(prefix)  # also a test that reads the constant but calls nothing
            tests.update(t for t in every if t == prefix or t.startswith(prefix + "::"))
    return sorted(tests)


def _tests_for(mutant: Mutant, calls: dict[str, list[str]]) -> list[str]:
    if mutant.scope.endswith(":module"):
        return _module_level_tests(mutant, calls)
    module_path = os.path.normpath(mutant.path)  # the keys of the map are relative
    return calls.get(f"{module_path}:{mutant.scope.rsplit(':', 1)[1]}", [])


def _report(results: str) -> int:
    records = [json.loads(line) for line in Path(results).read_text().splitlines()]
    counts: dict[str, int] = {}
    for record in records:
        counts[record["status"]] = counts.get(record["status"], 0) + 1
    caught = sum(
        n for s, n in counts.items() if s in ("caught", "timeout") or s.startswith("error")
    )
    print(
        f"{len(records)} run, {caught} caught ({100 * caught / max(len(records), 1):.1f} %):",
        counts,
    )
    for record in sorted(records, key=lambda r: (r["path"], r["line"])):
        if record["status"] in ("survived", "no tests", "not covered"):
            raw = Path(record["path"]).read_bytes()
            line_start = raw.rfind(b"\n", 0, record["start"]) + 1
            line_end = raw.find(b"\n", record["end"])
            before = raw[line_start : record["start"]].decode().lstrip()
            edit = f"[[{raw[record['start'] : record['end']].decode()} -> {record['text']}]]"
            after = raw[record["end"] : line_end].decode()
            print(f"{record['index']:5d} {record['path']}:{record['line']} {record['status']}:")
            print(f"      {before}{edit}{after}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``list``, ``map`` or ``run``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list")
    listing.add_argument("modules", nargs="+")
    mapping = sub.add_parser("map")
    mapping.add_argument("--out", required=True)
    mapping.add_argument("--modules", nargs="+", required=True)
    mapping.add_argument("tests", nargs="+")
    running = sub.add_parser("run")
    running.add_argument("--map", nargs="+", required=True, help="one or more maps, merged")
    running.add_argument("--out", required=True)
    running.add_argument("--modules", nargs="+", required=True)
    running.add_argument("--sample", type=int, default=0)
    running.add_argument("--seed", type=int, default=0)
    running.add_argument("--timeout", type=float, default=120.0)
    running.add_argument("--only", nargs="*", type=int, help="mutant indices, instead of a sample")
    reporting = sub.add_parser("report")
    reporting.add_argument("results")
    args = parser.parse_args(argv)

    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if args.command == "list":
        for module in args.modules:
            for index, mutant in enumerate(mutants_of(module)):
                print(index, f"{mutant.path}:{mutant.line}", mutant.description)
        return 0
    if args.command == "map":
        env["MUTATION_MODULES"] = os.pathsep + os.pathsep.join(args.modules)
        env["MUTATION_MAP"] = os.path.abspath(args.out)
        here = str(Path(__file__).resolve().parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [here, env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        command += ["-p", "mutation_audit", *args.tests]
        return subprocess.run(command, env=env, check=False).returncode

    if args.command == "report":
        return _report(args.results)

    calls: dict[str, list[str]] = {}
    for map_file in args.map:
        for key, tests in json.loads(Path(map_file).read_text()).items():
            calls[key] = sorted({*calls.get(key, []), *tests})
    everything = [m for module in args.modules for m in mutants_of(module)]
    chosen = list(range(len(everything)))
    if args.sample and args.sample < len(everything):
        chosen = sorted(random.Random(args.seed).sample(chosen, args.sample))
    if args.only:
        chosen = list(args.only)
    if Path(args.out).exists():  # resume: skip the mutants already run
        done = {json.loads(line)["index"] for line in Path(args.out).read_text().splitlines()}
        chosen = [i for i in chosen if i not in done]
    # a random order, so that a run stopped early is still a uniform sample
    random.Random(args.seed + 1).shuffle(chosen)
    print(f"{len(everything)} mutants, running {len(chosen)}", flush=True)
    originals = {m: Path(m).read_bytes() for m in args.modules}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that `finally` restores
    with open(args.out, "a") as out:
        for index in chosen:
            mutant = everything[index]
            tests = _tests_for(mutant, calls)
            if not tests:
                status, seconds = "not covered", 0.0
            else:
                Path(mutant.path).write_bytes(apply(originals[mutant.path], mutant))
                try:
                    status, seconds = _pytest(tests, env, args.timeout)
                finally:
                    Path(mutant.path).write_bytes(originals[mutant.path])
            record = {"index": index, **mutant._asdict(), "status": status}
            record.update(seconds=round(seconds, 1), tests=len(tests))
            out.write(json.dumps(record) + "\n")
            out.flush()
            print(index, f"{mutant.path}:{mutant.line}", mutant.description, status, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
