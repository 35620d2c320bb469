#!/usr/bin/env python3
"""Writes docs/status.md, the operator coverage page, from the code.

    scripts/gen_status.py [--thunderc build/bin/thunderc] [--check] [--output docs/status.md]

Sources (nothing here is a hand-kept list of what is supported):
  - docs/data/core_aten_ops.txt: the 189 Core ATen overloads of PyTorch 2.11 (a copy of the list PyTorch tags `core`);
  - `thunderc --list-ops`: the importer's op table (converted and refused targets) and every thunder op with its
    gradient (VJPOpInterface rule, NoGradientOpInterface, or neither);
  - `thunderc --list-ops FIXTURE.pt2` for every archive in test/fixtures and test/fixtures/ops: which thunder ops each
    operator became, and whether it had floating inputs and outputs (differentiable);
  - lib/Autodiff/Rules/*.cpp and dialects/ThunderOps.td: the rules file of each thunder op;
  - test/unit/autodiff/VJPTest.cpp (kCases) and FixtureGradTest.cpp: the finite-difference cases and training fixtures;
  - docs/data/vjp-notes.txt: one-line notes on the rules;
  - ONNX input: `thunderc --list-ops`'s `onnx` lines (the ONNX importer's table), test/onnx/node-tests.txt (every
    standard-domain backend node test of onnx 1.22.0 with the op_types of its graph) and test/onnx/node-xfail.txt
    (the ones failing on CPU, with why), both written by test/onnx/run_node_tests.py.
With --check it writes nothing and fails (exit 1) when docs/status.md differs from what it would write.
"""
import argparse
import collections
import concurrent.futures
import difflib
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rel(*parts):
    return os.path.join(ROOT, *parts)


def read(path):
    with open(rel(path), encoding="utf-8") as f:
        return f.read()


def run(cmd):
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        sys.exit(f"gen_status.py: no {cmd[0]}: build thunderc (scripts/build.sh) or pass --thunderc")
    if proc.returncode != 0:
        sys.exit(f"gen_status.py: `{' '.join(cmd)}` failed (exit {proc.returncode}):\n{proc.stderr}")
    return proc.stdout


# --- thunderc --list-ops ---------------------------------------------------------------------------------------

def list_ops(thunderc):
    """({target: {"converter": N, "in-place": ARG, "no-tensor-result": True}}, {target: reason}, {op: gradient})."""
    imported, refused, thunder_ops = {}, {}, {}
    for line in run([thunderc, "--list-ops"]).splitlines():
        if line.startswith("onnx "):
            continue  # onnx_ops() reads these
        if line.startswith("import "):
            fields = line.split()
            imported[fields[1]] = dict((f.split("=", 1) + [True])[:2] for f in fields[2:])
        elif line.startswith("refuse "):
            target, reason = line[len("refuse "):].split(": ", 1)
            refused[target] = reason
        elif line.startswith("op "):
            _, name, gradient = line.split()
            thunder_ops[name[len("thunder."):]] = gradient
    if not imported or not thunder_ops:
        sys.exit(f"gen_status.py: `{thunderc} --list-ops` listed no operators")
    if "unknown" in thunder_ops.values():
        sys.exit(f"gen_status.py: {thunderc} was built without the autodiff library")
    return imported, refused, thunder_ops


Lowering = collections.namedtuple("Lowering", "ops foreign flags fixtures")


def fixture_lowerings(thunderc):
    """target -> Lowering, merged over every fixture archive."""
    paths = sorted(glob.glob(rel("test", "fixtures", "*.pt2")) + glob.glob(rel("test", "fixtures", "ops", "*.pt2")))
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        outputs = list(pool.map(lambda p: run([thunderc, "--list-ops", p]), paths))
    merged = {}
    for path, out in zip(paths, outputs):
        fixture = os.path.splitext(os.path.basename(path))[0]
        for line in out.splitlines():
            if not line.startswith("node "):
                continue
            head, _, foreign = line.partition(" foreign: ")
            fields = head.split()
            target, flags, ops = fields[1], set(fields[3].split(",")) - {"-"}, fields[4:]
            prev = merged.get(target, Lowering(set(), set(), set(), set()))
            merged[target] = Lowering(prev.ops | set(ops), prev.foreign | set(foreign.split()),
                                      prev.flags | flags, prev.fixtures | {fixture})
    return merged


# --- the sources of the thunder-ops table ----------------------------------------------------------------------

def op_classes():
    """C++ class name (ExpOp) -> mnemonic (exp), from dialects/ThunderOps.td."""
    td = read("dialects/ThunderOps.td")
    classes = {m.group(1) + "Op": m.group(2)
               for m in re.finditer(r'^def Thunder_(\w+)Op\s*:\s*\w+<"(\w+)"', td, re.M)}
    for m in re.finditer(r'foreach name = \[([^\]]*)\] in\s*def Thunder_ # !toupper', td):
        for name in re.findall(r'"(\w+)"', m.group(1)):
            classes[name[0].upper() + name[1:] + "Op"] = name
    return classes


def rule_files():
    """mnemonic -> the Rules/<file>.cpp (without .cpp) that attaches its rule or marks it."""
    classes = op_classes()
    files = {}
    for path in sorted(glob.glob(rel("lib", "Autodiff", "Rules", "*.cpp"))):
        text = open(path, encoding="utf-8").read()
        name = os.path.splitext(os.path.basename(path))[0]
        attached = re.findall(r"attach(?:Rule|Unary)<(\w+Op)\b", text)
        for m in re.finditer(r"\bmark<([\w\s,]+)>\(", text):
            attached += [c.strip() for c in m.group(1).split(",")]
        for cls in attached:
            if cls in classes:
                files.setdefault(classes[cls], name)
    return files


def fd_cases():
    """mnemonic -> the kCases (test/unit/autodiff/VJPTest.cpp) whose body uses it, in table order."""
    text = read("test/unit/autodiff/VJPTest.cpp")
    start = text.index("const Case kCases[] = {")
    end = text.index("\n};", start)
    cases = collections.defaultdict(list)
    for entry in re.split(r'\n    \{(?=")', text[start:end])[1:]:
        name = re.match(r'"(\w+)"', entry).group(1)
        for op in dict.fromkeys(re.findall(r"thunder\.(\w+)", entry)):
            cases[op].append(name)
    return cases


def fixture_grad_tests():
    """(training fixtures FixtureGradTest checks, {known broken: reason})."""
    text = read("test/unit/autodiff/FixtureGradTest.cpp")
    values = re.search(r"::testing::Values\(([^)]*)\)", text)
    fixtures = re.findall(r'"(\w+)"', values.group(1)) if values else []
    broken = re.search(r"kKnownBroken = \{(.*?)\n\};", text, re.S)
    known = re.findall(r'\{"(\w+)",', broken.group(1)) if broken else []
    return fixtures, known


def vjp_notes(thunder_ops):
    notes = {}
    for line in read("docs/data/vjp-notes.txt").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        op, note = line.split(": ", 1)
        if op not in thunder_ops:
            sys.exit(f"gen_status.py: docs/data/vjp-notes.txt has a note for '{op}', which is no thunder op")
        notes[op] = note
    return notes


# --- the page --------------------------------------------------------------------------------------------------

def thunder_op_names(lowering):
    return sorted(op[len("thunder."):] for op in lowering.ops if op.startswith("thunder."))


def vjp_of(lowering, thunder_ops):
    """'Y', 'n/a' or 'N (ops)' for an operator seen in a fixture."""
    ops = thunder_op_names(lowering)
    if "differentiable" not in lowering.flags:
        # Integer tensors in, integer tensors out: differentiable on floating tensors unless it is an integer, bitwise
        # or comparison op (a thunder op without gradient). Otherwise a bool/index result or a creation op.
        integer_only = "tensor-input" in lowering.flags and "floating-input" not in lowering.flags
        if not integer_only or not ops or any(thunder_ops.get(op) == "no-gradient" for op in ops):
            return "n/a"
    missing = [op for op in ops if thunder_ops.get(op) not in ("vjp", "no-gradient")]
    missing += sorted(lowering.foreign)
    if missing:
        return "N (" + ", ".join(f"`{op}`" for op in missing) + ")"
    return "Y"


def ops_cell(lowering):
    ops = thunder_op_names(lowering)
    return ", ".join(ops) if ops else "(no thunder op)"


def merge(lowerings):
    return Lowering(set().union(*(l.ops for l in lowerings)), set().union(*(l.foreign for l in lowerings)),
                    set().union(*(l.flags for l in lowerings)), set().union(*(l.fixtures for l in lowerings)))


def describe(target, info, lowerings, siblings, thunder_ops):
    """(thunder ops cell, VJP cell, basis) of an imported target; basis: fixture, sibling, schema or none."""
    lowering = lowerings.get(target)
    if lowering is not None:
        return ops_cell(lowering), vjp_of(lowering, thunder_ops), "fixture"
    if info.get("no-tensor-result"):
        return "(no fixture; no tensor result)", "n/a", "schema"
    if target.startswith("higher_order."):
        return "(no fixture; its subgraph is inlined)", "its subgraph's", "schema"
    if not target.startswith("aten."):
        return "(no fixture; arithmetic on symbolic sizes)", "n/a", "schema"
    tested = [t for t in siblings.get(info.get("converter"), []) if t in lowerings]
    if tested:
        merged = merge([lowerings[t] for t in tested])
        return f"{ops_cell(merged)} (as `{tested[0]}`)", vjp_of(merged, thunder_ops), "sibling"
    return "(no fixture)", "?", "none"


def onnx_ops(thunderc):
    """{op_type: oldest opset} of the ONNX importer's table."""
    ops = {}
    for line in run([thunderc, "--list-ops"]).splitlines():
        if line.startswith("onnx "):
            op_type, since = line.split()[1:3]
            ops[op_type] = int(since.split("=")[1])
    return ops


def onnx_section(thunderc):
    """The ONNX table: each converted op_type with the node tests that use it and how many pass."""
    ops = onnx_ops(thunderc)
    tests = {}
    for line in read("test/onnx/node-tests.txt").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, types = line.partition("\t")
            tests[name] = types.split(",") if types else []
    failing = {}
    for line in read("test/onnx/node-xfail.txt").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(":")
            failing[name.strip()] = reason.strip()
    passing = [t for t in tests if t not in failing]
    out = []
    w = out.append
    w("## ONNX input")
    w("")
    w(f"`thunderc MODEL.onnx` converts {len(ops)} op_types of the standard domain (docs/onnx.md). ONNX's backend "
      f"node tests (onnx 1.22.0, standard domain): **{len(passing)} of {len(tests)} pass on CPU** "
      f"({100.0 * len(passing) / max(len(tests), 1):.1f}%); the others are listed with the reason in "
      "test/onnx/node-xfail.txt (`test/onnx/run_node_tests.py` runs them all; CI runs node-ci-subset.txt). "
      f"{sum(1 for r in failing.values() if 'dtype' in r)} of the failures are tensors of dtypes thunderc has no "
      "type for (strings, complex).")
    w("")
    w("| op_type | since opset | node tests using it | passing |")
    w("| --- | --- | --- | --- |")
    for op, since in sorted(ops.items()):
        using = [t for t, types in tests.items() if op in types]
        w(f"| `{op}` | {since} | {len(using)} | {sum(1 for t in using if t not in failing)} |")
    w("")
    missing = collections.Counter(op for types in tests.values() for op in set(types) if op not in ops)
    w("op_types of the node tests that are not converted (tests using each): "
      + ", ".join(f"`{op}` ({n})" for op, n in sorted(missing.items())) + ".")
    w("")
    return out


def generate(thunderc):
    core = [l.strip() for l in read("docs/data/core_aten_ops.txt").splitlines() if l.strip()]
    imported, refused, thunder_ops = list_ops(thunderc)
    lowerings = fixture_lowerings(thunderc)

    siblings = collections.defaultdict(list)  # converter -> targets, sorted
    for target, info in sorted(imported.items()):
        if "converter" in info:
            siblings[info["converter"]].append(target)

    rows, counts = [], collections.Counter()
    for target in core:
        if target in imported:
            counts["imported"] += 1
            ops, vjp, basis = describe(target, imported[target], lowerings, siblings, thunder_ops)
            counts[basis] += 1
            if vjp != "n/a":
                counts["differentiable"] += 1
                counts["vjp"] += vjp == "Y"
            rows.append(f"| `{target}` | Y | {ops} | {vjp} |  |")
        else:
            note = "refused: " + refused[target] if target in refused else "not in the op table"
            rows.append(f"| `{target}` | N |  |  | {note} |")

    extra = sorted(t for t in imported if t not in set(core))
    extra_rows, extra_counts = [], collections.Counter()
    for target in extra:
        ops, vjp, basis = describe(target, imported[target], lowerings, siblings, thunder_ops)
        extra_counts[basis] += 1
        extra_rows.append(f"| `{target}` | {ops} | {vjp} |")
    extra_refused = sorted(t for t in refused if t not in set(core))

    files, cases, notes = rule_files(), fd_cases(), vjp_notes(thunder_ops)
    gradient_words = {"vjp": "rule", "no-gradient": "no gradient", "none": "none"}
    op_rows = []
    for op, gradient in sorted(thunder_ops.items()):
        tested = ", ".join(cases.get(op, [])) if gradient == "vjp" else ""
        op_rows.append(f"| `{op}` | {gradient_words[gradient]} | {files.get(op, '—')} | {tested or '—'} | "
                       f"{notes.get(op, '')} |")
    by_gradient = collections.Counter(thunder_ops.values())
    grad_fixtures, known_broken = fixture_grad_tests()

    n = len(core)
    out = []
    w = out.append
    w("# Operator coverage")
    w("")
    w("<!-- Generated by scripts/gen_status.py from the code; do not edit. Run `scripts/gen_status.py "
      "--thunderc build/bin/thunderc` after changing the op table, a decomposition, a VJP rule or a fixture "
      "(test/lit/Tools/status.test fails until then). -->")
    w("")
    w(f"**Core ATen: imported {counts['imported']}/{n}; with a VJP {counts['vjp']}/{counts['differentiable']} "
      f"differentiable.** {counts['fixture']} of the imported operators are exercised by a fixture archive"
      + (f", {counts['sibling']} share the converter of one that is" if counts["sibling"] else "")
      + (f", {counts['schema']} return no tensor" if counts["schema"] else "")
      + (f", {counts['none']} are not exercised" if counts["none"] else "") + ". "
      f"Beyond Core ATen the importer converts {len(extra)} more node targets of the default export IR "
      f"({extra_counts['fixture']} exercised by a fixture, {extra_counts['sibling']} sharing the converter of "
      f"one that is, {extra_counts['schema']} scalar ops or ops without a tensor result, "
      f"{extra_counts['none']} none of these). The thunder dialect has {len(thunder_ops)} ops: {by_gradient['vjp']} with a VJP rule, "
      f"{by_gradient['no-gradient']} without a gradient, {by_gradient['none']} with neither.")
    w("")
    w("How the columns are made:")
    w("- **imported**: the target is in the importer's op table (`thunderc --list-ops`, lib/Importer/*Ops.cpp). "
      "Refused targets are in the table only to give a clear error.")
    w("- **thunder ops**: the thunder ops located at the operator's nodes when every archive of `test/fixtures` "
      "and `test/fixtures/ops` is imported (`thunderc --list-ops FILE.pt2`), merged over all of them; index "
      "arithmetic for symbolic sizes (`arith`, `tensor.from_elements`) is left out. Ops that the importer's CSE "
      "merged into an earlier node count for that node. \"(as `t`)\": no archive has the operator, but it shares "
      "its converter function with `t` (an in-place variant or an alias), whose ops are shown. \"(no fixture)\": "
      "neither.")
    w("- **VJP**: `Y` when every thunder op it became has a VJP rule or carries no gradient (piecewise constant "
      "functions such as `floor` get a zero gradient, as in PyTorch); `N (ops)` names the ops without either; "
      "`n/a` when it is not differentiable: no node of it has both a floating tensor input and a floating tensor "
      "output (comparisons, creation and random ops), unless it is an integer-only use of an op that is "
      "differentiable on floating tensors (`remainder` on integers), or it returns no tensor (its schema says so: "
      "size queries, assertions; or it is a Python scalar operator on symbolic sizes: `_operator.*`, `math.*`, "
      "`torch.sym_*`); `?` when nothing tells.")
    w("")
    w("## Core ATen operators")
    w("")
    w("| operator | imported | thunder ops | VJP | notes |")
    w("| --- | --- | --- | --- | --- |")
    out.extend(rows)
    w("")
    w("## Beyond Core ATen: the default export IR")
    w("")
    w(f"{len(extra)} more node targets that `torch.export` leaves in programs before `run_decompositions()`: "
      "composite ATen ops, in-place variants (the importer rebinds the written tensor), Python scalar operators "
      "on symbolic sizes (`_operator.*`), subgraph wrappers that are inlined (`higher_order.*`).")
    if extra_refused:
        w("Refused with an error: " + ", ".join(f"`{t}`" for t in extra_refused) + ".")
    w("")
    w("| operator | thunder ops | VJP |")
    w("| --- | --- | --- |")
    out.extend(extra_rows)
    w("")
    w("## Thunder ops and their VJPs")
    w("")
    w("**rule**: a `VJPOpInterface` external model in `lib/Autodiff/Rules/<file>.cpp`, checked against central "
      "differences in float64 by the named cases of `thunder-vjp-tests` (test/unit/autodiff/VJPTest.cpp, "
      "`kCases`: every case whose body uses the op). **no gradient**: marked with `NoGradientOpInterface` "
      "(`Rules/NoGradient.cpp`), so cotangents stop there. **none**: a cotangent reaching it is an error. "
      "docs/autodiff.md describes the rules.")
    w("")
    line = ("A Core ATen operator has a VJP when every thunder op its importer decomposition emits has one, so the "
            "VJP column above follows from this table.")
    if grad_fixtures:
        checked = [f for f in grad_fixtures if f not in known_broken]
        line += (" The training fixtures " + ", ".join(f"`{f}`" for f in checked) + " match PyTorch's gradients "
                 "end to end (FixtureGradTest in the same executable).")
        if known_broken:
            line += (" Skipped there, with the reason in its `kKnownBroken`: "
                     + ", ".join(f"`{f}`" for f in known_broken) + ".")
    w(line)
    w("")
    w("| op | VJP | rules file | FD test cases | notes |")
    w("| --- | --- | --- | --- | --- |")
    out.extend(op_rows)
    w("")
    out.extend(onnx_section(thunderc))
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--thunderc", default=rel("build", "bin", "thunderc"), help="the thunderc to ask")
    parser.add_argument("--output", default=rel("docs", "status.md"))
    parser.add_argument("--check", action="store_true",
                        help="fail if --output is not what this script would write")
    args = parser.parse_args()
    text = generate(args.thunderc)
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as f:
                old = f.read()
        except FileNotFoundError:
            old = ""
        if old != text:
            diff = difflib.unified_diff(old.splitlines(), text.splitlines(), "docs/status.md (committed)",
                                        "docs/status.md (from the code)", lineterm="", n=0)
            sys.stdout.write("\n".join(list(diff)[:60]) + "\n")
            sys.stderr.write("error: docs/status.md is out of date: run scripts/gen_status.py "
                             "--thunderc BUILD/bin/thunderc and commit the result\n")
            return 1
        return 0
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
