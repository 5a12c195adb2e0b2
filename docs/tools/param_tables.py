"""Prints Markdown tables of every submodel's parameters from the Rust sources: the field's
doc comment (meaning, unit, source) and its default. Run from the repository root:
    python3 docs/tools/param_tables.py > docs/parameters.md
With --json, the same catalogue as JSON, with each parameter's type, its valid range (read
from the submodel's `impl Validate`), its unit (from its name) and the variants of enums:
the Python package's parameter listing (a test keeps it fresh):
    python3 docs/tools/param_tables.py --json > crates/python/python/asymwar/parameters.json
"""
import json
import re
import sys

GROUPS = [
    ("logistics", "crates/model/src/domains/logistics/data.rs", "LogisticsParams"),
    ("army", "crates/model/src/domains/army/data.rs", "ArmyParams"),
    ("combat", "crates/model/src/world/combat.rs", "CombatParams"),
    ("insurgency", "crates/model/src/domains/insurgency/data.rs", "InsurgencyParams"),
    ("society", "crates/model/src/domains/society/data.rs", "SocietyParams"),
    ("militia", "crates/model/src/domains/militia/data.rs", "MilitiaParams"),
    ("activation", "crates/model/src/domains/society/grievance.rs", "ActivationParams"),
]

def fields(src, name):
    body = src[src.index(f"pub struct {name}"):]
    body = body[body.index("{") + 1: body.index("\n}")]
    out, doc = [], []
    for line in body.splitlines():
        t = line.strip()
        if t.startswith("///"):
            doc.append(t[3:].strip())
        elif t.startswith("pub "):
            m = re.match(r"pub (\w+): (.+),", t)
            out.append((m.group(1), m.group(2), " ".join(doc)))
            doc = []
        else:
            doc = [] if not t.startswith("#") else doc
    # Fields without their own comment share the comment of the field above (grouped docs).
    last = ""
    res = []
    for n, ty, d in out:
        if d:
            last = d
        res.append((n, ty, d if d else "(grouped with the row above)"))
    return res

def defaults(src, name):
    i = src.index(f"impl Default for {name}")
    body = src[i: src.index("\n}\n", i)]
    vals = {}
    for m in re.finditer(r"^\s+(\w+): (.+?),\s*$", body, re.M):
        vals[m.group(1)] = m.group(2)
    return vals

# The Checker helpers of crates/model/src/engine/check.rs and the ranges they enforce:
# (low, high, low excluded).
CHECKS = {
    "probability": (0.0, 1.0, False),
    "non_negative": (0.0, None, False),
    "positive": (0.0, None, True),
}

def ranges(src, name):
    """Each field's range from `impl Validate for NAME`: the Checker helper it is passed to
    (rules written by hand, such as `march_from_hour < march_to_hour`, give no range)."""
    i = src.index(f"impl Validate for {name}")
    body = src[i: src.index("\n}\n", i)]
    out = {}
    for m in re.finditer(r'c\.(probability|non_negative|positive|within)\(\s*"(\w+)",\s*([^;]*?)\)\s*;', body, re.S):
        kind, field, args = m.groups()
        if kind == "within":
            parts = [a.strip() for a in args.split(",") if a.strip()]
            lo, hi = (float(parts[-2].replace("_", "")), float(parts[-1].replace("_", "")))
            out[field] = {"min": lo, "max": hi, "min_excluded": False}
        else:
            lo, hi, open_lo = CHECKS[kind]
            out[field] = {"min": lo, "max": hi, "min_excluded": open_lo}
    return out

# Units read from a field's name (its doc comment says the rest).
UNITS = [
    ("_per_hour", "per hour"), ("_per_day", "per day"), ("_per_week", "per week"),
    ("_hours", "hours"), ("_hour", "hour of day"), ("_days", "days"), ("_km", "km"),
    ("_share", "share"), ("_factor", "factor"),
]

def unit(name, rng):
    for suffix, u in UNITS:
        if name.endswith(suffix):
            return u
    if rng and rng["min"] == 0.0 and rng["max"] == 1.0:
        return "probability or share"
    return None

def snake(camel):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()

def enum_variants(src, ty):
    i = src.find(f"pub enum {ty} ")
    if i < 0:
        return None
    body = src[src.index("{", i) + 1: src.index("\n}", i)]
    return [snake(m.group(1)) for m in re.finditer(r"^\s+(\w+),", body, re.M)]

def value(literal, kind):
    text = literal.replace("_", "") if kind in ("real", "integer") else literal
    try:
        return {"real": float, "integer": int}[kind](text)
    except (KeyError, ValueError):
        pass
    if kind == "bool" and literal in ("true", "false"):
        return literal == "true"
    if kind == "enum" and "::" in literal:
        return snake(literal.split("::")[-1])
    return None

def catalogue():
    rows = []
    for group, path, name in GROUPS:
        src = open(path).read()
        d = defaults(src, name)
        r = ranges(src, name)
        last = ""
        for n, ty, doc in fields(src, name):
            variants = enum_variants(src, ty)
            kind = ("real" if ty == "f64" else "bool" if ty == "bool"
                    else "integer" if re.fullmatch(r"[ui](8|16|32|64|size)", ty)
                    else "enum" if variants else "other")
            if doc == "(grouped with the row above)":
                doc = last
            last = doc
            rng = r.get(n)
            if rng is None and kind == "integer" and ty.startswith("u"):
                rng = {"min": 0.0, "max": None, "min_excluded": False}
            rows.append({
                "path": f"params.{group}.{n}",
                "group": group,
                "name": n,
                "type": ty,
                "kind": kind,
                "default": value(d[n], kind) if n in d else None,
                "default_code": d.get(n),
                "range": rng,
                "values": variants,
                "unit": unit(n, rng),
                "doc": doc,
            })
    return rows

if "--json" in sys.argv[1:]:
    print(json.dumps(catalogue(), indent=1))
else:
    print("# Parameters\n")
    print("Every parameter of every submodel, with its default, as the code defines them "
          "(generated by `docs/tools/param_tables.py` from the doc comments in the sources). "
          "A scenario sets them under `params.<group>.<name>`; unset ones take the default.\n")
    for group, path, name in GROUPS:
        src = open(path).read()
        d = defaults(src, name)
        print(f"## `params.{group}` ({name})\n")
        print("| parameter | default | meaning, unit, source |")
        print("|---|---|---|")
        for n, ty, doc in fields(src, name):
            v = d.get(n, "see code").replace("|", "\\|")
            print(f"| `{n}` | `{v}` | {doc.replace('|', '/')} |")
        print()
