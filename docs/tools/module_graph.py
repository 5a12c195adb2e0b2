#!/usr/bin/env python3
"""Prints the model crate's module graph (who imports whom through `crate::` paths) as a
Mermaid flowchart, grouped by layer, and exits 1 if the graph has a circle.

    python3 docs/tools/module_graph.py > /tmp/graph.md

docs/architecture.md embeds its output; the architecture test checks there is no circle."""
import os, re, sys

ROOT = "crates/model/src"
mods = {}
for dp, _, fs in os.walk(ROOT):
    for f in fs:
        if f.endswith(".rs"):
            p = os.path.join(dp, f)
            rel = os.path.relpath(p, ROOT)[:-3].replace("/mod", "").replace(os.sep, "::")
            if rel in ("lib",) or rel.endswith("::tests"):
                continue
            mods[rel] = open(p).read()

def deps(src):
    out = set()
    for m in re.finditer(r"crate::([a-z_]+(?:::[a-z_]+)*)", src):
        parts = m.group(1).split("::")
        for i in range(len(parts), 0, -1):
            c = "::".join(parts[:i])
            if c in mods:
                out.add(c)
                break
    return out

graph = {m: sorted(d for d in deps(s) if d != m and not d.startswith(m + "::")) for m, s in mods.items()}

def circle():
    state = {}
    def dfs(u, stack):
        state[u] = 1
        stack.append(u)
        for v in graph[u]:
            if state.get(v) == 1 and not u.startswith(v + "::"):
                return stack[stack.index(v):] + [v]
            if v not in state:
                c = dfs(v, stack)
                if c:
                    return c
        stack.pop()
        state[u] = 2
        return None
    for m in sorted(graph):
        if m not in state:
            c = dfs(m, [])
            if c:
                return c
    return None

# Collapse to one node per layer, and per domain its data apart from its behaviour.
def node(m):
    parts = m.split("::")
    if parts[0] == "domains" and len(parts) >= 2:
        if len(parts) >= 3 and parts[2] in ("data", "grievance"):
            return f"{parts[1]} data"
        return f"{parts[1]} systems"
    if parts[0] == "models" and len(parts) > 1:
        return parts[1]
    return parts[0]

edges = sorted({(node(a), node(b)) for a, ds in graph.items() for b in ds if node(a) != node(b)})
print("```mermaid")
print("flowchart TD")
for a, b in edges:
    print(f"  {a.replace(' ', '_')}[{a}] --> {b.replace(' ', '_')}[{b}]")
print("```")
c = circle()
if c:
    print("circle: " + " -> ".join(c), file=sys.stderr)
    sys.exit(1)
