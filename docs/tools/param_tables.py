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

def mobility():
    """`params.mobility`: speeds in km/h of each mobility class, a nested block the
    one-row-per-field tables cannot show."""
    path = "crates/model/src/world/terrain.rs"
    src = open(path).read()
    i = src.index("impl Default for MobilityParams")
    body = src[i: src.index("\n}\n", i)]
    print("## `params.mobility` (MobilityParams)\n")
    doc = src[: src.index("pub struct MobilityParams")]
    doc = doc[doc.rindex("/// Movement parameters"):]
    lines = [l.strip()[3:].strip() for l in doc.splitlines() if l.strip().startswith("///")]
    print(" ".join(l for l in lines if l) + "\n")
    print("Off-road speeds are by terrain in the order desert, sahel steppe, savanna, forest, "
          "wetland, river, hills, urban (0 = impassable), written as a tuple in a file. A scenario sets a whole class, e.g. "
          "`mobility: (motorbike: (off_road: (30.0, 35.0, 30.0, 15.0, 6.0, 0.0, 12.0, 20.0), "
          "track: 45.0, paved: 60.0, fords: true))`.\n")
    print("| class | off-road km/h by terrain | track | paved | fords |")
    print("|---|---|---|---|---|")
    for m in re.finditer(r"(\w+): MobilitySpeeds \{\s*off_road: (\[[^\]]*\]),\s*track: ([\d.]+),\s*paved: ([\d.]+),\s*fords: (\w+),", body):
        print(f"| `{m.group(1)}` | `{m.group(2)}` | `{m.group(3)}` | `{m.group(4)}` | `{m.group(5)}` |")
    for field in ("rainy_off_road_factor", "rainy_track_factor"):
        v = re.search(rf"{field}: (.+?),\n", body).group(1)
        fdoc = re.search(rf"((?:\s*///.*\n)+)\s*pub {field}:", src).group(1)
        fdoc = " ".join(l.strip()[3:].strip() for l in fdoc.splitlines() if l.strip())
        print(f"\n`{field}` = `{v}`: {fdoc}")
    print()

if "--json" in sys.argv[1:]:
    print(json.dumps(catalogue(), indent=1))
else:
    print("# Parameters\n")
    print("Every parameter of every submodel, with its default, as the code defines them "
          "(generated by `docs/tools/param_tables.py` from the doc comments in the sources). "
          "A scenario sets them under `params.<group>.<name>`; unset ones take the default.\n")
    print("Defaults are written as a scenario file writes them: a choice is a bare snake_case "
          "name (`escort_doctrine: escorted_convoys`), and the valid names are listed beside "
          "it. [scenarios.md](scenarios.md) shows a `params` block in a whole scenario.\n")
    for group, path, name in GROUPS:
        src = open(path).read()
        d = defaults(src, name)
        print(f"## `params.{group}` ({name})\n")
        print("| parameter | default | meaning, unit, source |")
        print("|---|---|---|")
        for n, ty, doc in fields(src, name):
            v = d.get(n, "see code")
            variants = enum_variants(src, ty)
            if variants and "::" in v:
                v = snake(v.split("::")[-1])
                doc = f"{doc} One of: {', '.join(f'`{x}`' for x in variants)}."
            v = v.replace("|", "\\|")
            print(f"| `{n}` | `{v}` | {doc.replace('|', '/')} |")
        print()
    mobility()
