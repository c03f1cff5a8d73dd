#!/usr/bin/env python3
"""Derives Palisade's GKE discovery facts (DESIGN.md §7): schemas/gke/container-v1.json.

The client crate (google-cloud-container-v1) sends enums as proto NUMBERS (`enum-encoding=int`),
and the discovery document lists only enum NAMES, whose order is not the numbering (numbers may
skip). So the numbers are read from the crate's generated model.rs, the names from discovery.

Keeps, for every schema reachable from the cluster, node-pool and operation methods: each
field's type (string, boolean, int32, uint32, int64, uint64, double, float, enum, object, array,
map, any), the referenced schema, enum names with their numbers, and whether a field or an enum
value is deprecated or output-only. No descriptions. Output is deterministic JSON, so `--check`
tells whether the committed copy is stale.

Usage: derive-gke-discovery.py [--ref FILE] [--crate-src DIR] [--out FILE] [--check]
"""
import argparse, json, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REF = ROOT.parent / "shared" / "reference" / "gke" / "container.v1.json"
DEFAULT_OUT = ROOT / "schemas" / "gke" / "container-v1.json"
CRATE = "google-cloud-container-v1"


def crate_src(given):
    if given:
        return Path(given)
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"], cwd=ROOT,
        check=True, capture_output=True, text=True).stdout)
    found = {p["name"]: p for p in meta["packages"]}
    if CRATE not in found:
        sys.exit(f"{CRATE} is not a dependency (cargo metadata)")
    models = [Path(found[n]["manifest_path"]).parent / "src" / "model.rs"
              for n in (CRATE, "google-cloud-rpc") if n in found]
    return models, found[CRATE]["version"]


def crate_enums(model_rs):
    """[(module path, enum, {NAME: number})] from the crate's value()/name() matches."""
    lines = model_rs.read_text().splitlines()
    mods, out, i = [], [], 0
    current_impl = None
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip())
        m = re.match(r"\s*pub mod (\w+) \{", line)
        if m:
            mods = [(d, n) for d, n in mods if d < indent] + [(indent, m.group(1))]
        m = re.match(r"\s*impl (\w+) \{", line)
        if m:
            current_impl = (indent, m.group(1))
        if "pub fn value(&self) -> std::option::Option<i32> {" in line:
            j = i + 1
            while "pub fn name(&self)" not in lines[j]:
                j += 1
            value_text = "\n".join(lines[i:j])
            fn_indent = len(lines[j]) - len(lines[j].lstrip())
            k = j + 1
            while not (lines[k].strip() == "}" and len(lines[k]) - len(lines[k].lstrip()) == fn_indent):
                k += 1
            name_text = "\n".join(lines[j:k])
            numbers = dict((m[0], int(m[1])) for m in re.findall(r"Self::(\w+) =>\s*\{?\s*std::option::Option::Some\((-?\d+)\)", value_text))
            names = dict(re.findall(r'Self::(\w+) =>\s*\{?\s*std::option::Option::Some\("(\w+)"\)', name_text))
            j = k
            table = {names[k]: numbers[k] for k in numbers if k in names}
            path = [n for d, n in mods if d < current_impl[0]]
            out.append((tuple(path), current_impl[1], table))
            i = j
            continue
        i += 1
    return out


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def methods_of(doc):
    out = {}

    def walk(res):
        for m in res.get("methods", {}).values():
            out[m["id"]] = {
                "httpMethod": m["httpMethod"],
                "path": m["path"],
                "request": m.get("request", {}).get("$ref"),
                "response": m.get("response", {}).get("$ref"),
            }
        for r in res.get("resources", {}).values():
            walk(r)

    loc = doc["resources"]["projects"]["resources"]["locations"]
    for name in ("clusters", "operations"):
        walk(loc["resources"][name])
    for m in loc.get("methods", {}).values():
        if m["id"].endswith("getServerConfig"):
            out[m["id"]] = {"httpMethod": m["httpMethod"], "path": m["path"],
                            "request": None, "response": m.get("response", {}).get("$ref")}
    return out


def output_only(prop):
    d = prop.get("description", "").lstrip().lower()
    return prop.get("readOnly") is True or d.startswith("output only") or d.startswith("[output only]")


def deprecated(prop):
    return prop.get("deprecated") is True or prop.get("description", "").lstrip().startswith("Deprecated")


class Deriver:
    def __init__(self, doc, enums):
        self.schemas = doc["schemas"]
        self.enums = enums
        self.problems = []
        self.newer = []
        self.todo, self.done = [], {}

    def numbers(self, schema, field, names):
        """NAME -> number; a name the crate does not know (newer than 1.15.0) gets null: the
        client cannot send it."""
        want = set(names)
        # the crate's enum for this field holds the same names, or a subset (discovery is newer)
        hits = [(p, e, t) for p, e, t in self.enums if t and set(t) <= want and len(set(t)) >= 2]
        if not hits:
            # a field newer than the crate: the client cannot send it at all
            self.newer.append(f"{schema}.{field}")
            return {n: None for n in names}
        best = max(len(t) for _, _, t in hits)
        hits = [h for h in hits if len(h[2]) == best]
        local = [h for h in hits if h[0] and h[0][-1] == snake(schema)]
        pick = local or hits
        tables = {json.dumps(t, sort_keys=True) for _, _, t in pick}
        if len(tables) > 1:
            self.problems.append(f"{schema}.{field}: crate enums {[p + (e,) for p, e, _ in pick]} disagree on numbers")
        table = pick[0][2]
        return {n: table.get(n) for n in names}

    def field(self, schema, name, prop):
        if "$ref" in prop:
            self.todo.append(prop["$ref"])
            f = {"type": "object", "ref": prop["$ref"]}
        else:
            t, fmt = prop.get("type"), prop.get("format")
            if t == "string" and "enum" in prop:
                f = {"type": "enum", "enum": self.numbers(schema, name, prop["enum"])}
                dep = [n for n, d in zip(prop["enum"], prop.get("enumDeprecated", [])) if d]
                if dep:
                    f["deprecatedValues"] = dep
            elif t == "string" and fmt in ("int64", "uint64"):
                f = {"type": fmt}
            elif t == "string":
                f = {"type": "string"}
                if fmt:
                    f["format"] = fmt
            elif t == "integer":
                f = {"type": fmt if fmt in ("int32", "uint32") else "int32"}
            elif t == "number":
                f = {"type": fmt if fmt in ("double", "float") else "double"}
            elif t == "boolean":
                f = {"type": "boolean"}
            elif t == "array":
                f = {"type": "array", "items": self.field(schema, name, prop["items"])}
            elif t == "object" and "additionalProperties" in prop:
                f = {"type": "map", "values": self.field(schema, name, prop["additionalProperties"])}
            elif t == "any" or t == "object":
                f = {"type": "any"}
            else:
                self.problems.append(f"{schema}.{name}: unknown type {t}")
                f = {"type": "any"}
        if deprecated(prop):
            f["deprecated"] = True
        if output_only(prop):
            f["outputOnly"] = True
        return f

    def run(self, roots):
        self.todo = list(roots)
        while self.todo:
            name = self.todo.pop()
            if name in self.done:
                continue
            props = self.schemas[name].get("properties", {})
            self.done[name] = {k: self.field(name, k, v) for k, v in sorted(props.items())}
        return dict(sorted(self.done.items()))


def derive(ref, src):
    doc = json.load(open(ref))
    models, version = src
    enums = [e for m in models for e in crate_enums(m)]
    methods = methods_of(doc)
    roots = {m[k] for m in methods.values() for k in ("request", "response") if m[k]} | {"Cluster", "NodePool", "Operation"}
    d = Deriver(doc, enums)
    schemas = d.run(sorted(roots))
    if d.problems:
        sys.exit("cannot derive the GKE facts:\n  " + "\n  ".join(d.problems))
    if d.newer:
        print(f"{len(d.newer)} enum field(s) newer than the crate (no numbers): {', '.join(d.newer)}", file=sys.stderr)
    out = {
        "source": {"discovery": f"container.v1.json revision {doc.get('revision')}", "crate": f"{CRATE} {version}"},
        "methods": dict(sorted(methods.items())),
        "schemas": schemas,
    }
    return json.dumps(out, indent=1, sort_keys=True) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default=str(DEFAULT_REF))
    ap.add_argument("--crate-src", help="the crate's src/ directory (default: from cargo metadata)")
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    src = ([Path(a.crate_src) / "model.rs"], "given") if a.crate_src else crate_src(None)
    text = derive(a.ref, src)
    out = Path(a.out)
    if a.check:
        if not out.exists() or out.read_text() != text:
            sys.exit(f"{out.relative_to(ROOT)} is out of date: run scripts/derive-gke-discovery.py")
        print(f"{out.relative_to(ROOT)} is up to date")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
