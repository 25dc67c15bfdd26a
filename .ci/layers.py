"""The house's rules, from the code's own paths: no module imports one that imports it back
(a cycle, between files), and every import between the top-level modules points down the
ladder below. Reads `crate::…`, `super::…` and `self::…` paths in src/ (comments and strings
aside); fails naming each cycle and each import that climbs.

Usage: python3 .ci/layers.py [--graph]
"""

import pathlib
import re
import sys

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"

# The ladder, from the bottom: a module may use those on its own rung or below, never above.
# Rungs of one line share a level (they may use each other, but not in a circle).
LADDER = [
    ["error", "budget", "metrics"],
    ["values"],
    ["image"],
    ["input"],
    ["kinds"],
    ["template"],
    ["document"],
    ["markup"],
    ["render", "word", "excel"],
    ["sign"],
    ["batch", "engine", "watch", "config"],
    ["http"],
    ["cli", "main"],
    ["lib"],
]
RANK = {m: i for i, rung in enumerate(LADDER) for m in rung}


def module_of(path):
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "mod":
        parts.pop()
    return tuple(parts)


def strip(text):
    """The code without comments, strings and character literals (a path in them is no import)."""
    out, i, n = [], 0, len(text)
    ident = re.compile(r"[A-Za-z0-9_]")
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == "r" and (i == 0 or not ident.match(text[i - 1])) and re.match(r'r#*"', text[i:]):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            j = text.find('"' + hashes, i + 2 + len(hashes))
            out.append('""')
            i = n if j < 0 else j + 1 + len(hashes)
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""')
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]):
            i += len(re.match(r"'(\\.|[^\\'])'", text[i:i + 4]).group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def main():
    files = {module_of(p): p for p in SRC.rglob("*.rs")}
    modules = set(files)
    edges = {}
    path_re = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
    for mod, path in files.items():
        text = strip(path.read_text())
        # `use a::{b, c::d}` groups: expand one level of braces after a path.
        refs = set()
        for m in path_re.finditer(text):
            head, rest = m.group(1), m.group(2).split("::")[1:]
            if head == "crate":
                base = []
            elif head == "super":
                base = list(mod[:-1])
                # super::super::…
                while rest and rest[0] == "super":
                    base, rest = base[:-1], rest[1:]
            else:
                base = list(mod)
            follow = text[m.end():m.end() + 400]
            tails = [[]]
            if follow.startswith("::{"):
                depth, i = 0, 2
                for j, ch in enumerate(follow[2:], 2):
                    depth += ch == "{"
                    depth -= ch == "}"
                    if depth == 0:
                        i = j
                        break
                tails = [t.strip().split("::") for t in follow[3:i].split(",") if t.strip()]
            for tail in tails:
                full = base + rest + [t for t in tail if t and t != "self"]
                # The longest prefix that is a module of the crate.
                for n in range(len(full), 0, -1):
                    if tuple(full[:n]) in modules:
                        target = tuple(full[:n])
                        if target != mod and not (mod[:len(target)] == target):
                            refs.add(target)
                        break
        edges[mod] = refs
    problems = []
    # Cycles between files (Tarjan).
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                sccs.append(scc)

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    for scc in sccs:
        names = sorted("::".join(m) for m in scc)
        ties = sorted(f"{'::'.join(a)} -> {'::'.join(b)}" for a in scc for b in edges[a] if b in scc)
        problems.append("a cycle between " + ", ".join(names) + ": " + "; ".join(ties))
    # The ladder, between top-level modules.
    for a, targets in sorted(edges.items()):
        for b in sorted(targets):
            ta, tb = a[0], b[0]
            if ta == tb:
                continue
            if ta not in RANK or tb not in RANK:
                problems.append(f"{'::'.join(a)} or {'::'.join(b)} has no rung on the ladder in .ci/layers.py")
            elif RANK[tb] > RANK[ta]:
                problems.append(f"{'::'.join(a)} imports {'::'.join(b)}, which stands above it")
    if "--graph" in sys.argv:
        for a, targets in sorted(edges.items()):
            print("::".join(a), "->", ", ".join(sorted("::".join(b) for b in targets)))
    if problems:
        print("\n".join(problems))
        raise SystemExit(f"{len(problems)} breaks of the house's rules")
    print(f"{len(files)} modules: no cycle, every import points down the ladder")


if __name__ == "__main__":
    main()
