#!/usr/bin/env python3
# Enum NUMBERS come from the client crate, not from discovery: google-cloud-container-v1 sends enums as proto
# numbers ($alt=json;enum-encoding=int), discovery lists only NAMES, and their order is not the numbering
# (numbers skip: GatewayAPIConfig DISABLED=1, EXPERIMENTAL=3, STANDARD=4). The crate's model.rs has the real ones.
"""Derives Palisade's GKE discovery facts (DESIGN.md §7): schemas/gke/container-v1.json.

Reads the discovery document (../shared/reference/gke/container.v1.json, or --ref FILE) and the
google-cloud-container-v1 crate's src/model.rs (found with `cargo metadata`, or --crate-src DIR).
Keeps the cluster, node-pool and operation methods and every schema they reach, each field with its
type, referenced schema, enum names with their proto numbers, and whether it is deprecated or output
only. No descriptions. A discovery enum that cannot be matched to a crate enum, or matches
conflicting numbers, is an error unless KNOWN_GAPS lists exactly its names the crate lacks (those get
null: the client cannot send them). Output is deterministic JSON, so `--check` can tell whether the
committed copy is out of date.

Usage: derive-gke-discovery.py [--ref FILE] [--crate-src DIR [--rpc-src DIR]] [--out FILE] [--check]
"""
import argparse, json, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT.parent / "shared" / "reference" / "gke" / "container.v1.json"
OUT = ROOT / "schemas" / "gke" / "container-v1.json"
CRATE = "google-cloud-container-v1"
RPC = "google-cloud-rpc"
RESOURCES = [("clusters",), ("clusters", "nodePools"), ("operations",)]

# Discovery (revision 20261027) is newer than the crate (1.15.0): these enum names have no number in
# the crate, so they get null. Reviewed by hand; the script fails when the gaps differ from this list
# (a new gap, or one the crate has closed), so re-check it whenever either input is bumped.
KNOWN_GAPS = {
    # fields the crate does not have at all
    "AutoprovisioningRestrictionConfig.serviceAccountPermissionCheck":
        ["DISABLED", "ENABLED", "PERMISSION_CHECK_MODE_UNSPECIFIED"],
    "NodeNetworkConfig.datapathProvider": ["ADVANCED_DATAPATH", "DATAPATH_PROVIDER_UNSPECIFIED",
                                           "LEGACY_DATAPATH", "MIGRATE_TO_ADVANCED_DATAPATH",
                                           "MIGRATE_TO_LEGACY_DATAPATH"],
    "KernelCommandlineOverrides.initOnAlloc": ["INIT_ON_ALLOC_OFF", "INIT_ON_ALLOC_UNSPECIFIED"],
    "KernelCommandlineOverrides.specRstackOverflow":
        ["SPEC_RSTACK_OVERFLOW_OFF", "SPEC_RSTACK_OVERFLOW_UNSPECIFIED"],
    "UpdateNodePoolRequest.nodeConfigUpdateMode":
        ["LIVE_UPDATE_WITHOUT_DRAIN", "NODE_CONFIG_UPDATE_MODE_UNSPECIFIED"],
    # values added to an enum the crate has
    "ClusterUpdate.desiredDatapathProvider": ["MIGRATE_TO_ADVANCED_DATAPATH", "MIGRATE_TO_LEGACY_DATAPATH"],
    "NetworkConfig.datapathProvider": ["MIGRATE_TO_ADVANCED_DATAPATH", "MIGRATE_TO_LEGACY_DATAPATH"],
    "GPUDriverInstallationConfig.gpuDriverVersion": ["SPECIFIC"],
    "SandboxConfig.type": ["MICROVM"],
}


def fail(msg):
    print(f"derive-gke-discovery: {msg}", file=sys.stderr)
    sys.exit(1)


def locate_crates(given, rpc_given):
    """({rust crate ident: src/model.rs}, version): the client crate and its google-cloud-rpc
    dependency (StatusCondition.canonicalCode is a google.rpc.Code)."""
    if given:
        toml = given.parent / "Cargo.toml"
        text = toml.read_text() if toml.exists() else ""
        name = re.search(r'^name\s*=\s*"([^"]+)"', text, re.M)
        version = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
        if not name or name.group(1) != CRATE or not version:
            fail(f"{toml} is not the {CRATE} package")
        rpc = [rpc_given] if rpc_given else sorted(given.resolve().parents[1].glob(f"{RPC}-[0-9]*/src"))
        if len(rpc) != 1:
            fail(f"found {len(rpc)} {RPC} crates next to {given}: pass --rpc-src DIR")
        return {"crate": given / "model.rs", RPC.replace("-", "_"): rpc[0] / "model.rs"}, version.group(1)
    try:
        run = subprocess.run(["cargo", "metadata", "--format-version", "1", "--locked"], cwd=ROOT,
                             check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as e:
        fail(f"cargo metadata failed ({e}); pass --crate-src DIR")
    meta = json.loads(run.stdout)
    packages = {p["id"]: p for p in meta["packages"]}
    found = [p for p in packages.values() if p["name"] == CRATE]
    if len(found) != 1:
        fail(f"cargo metadata lists {len(found)} {CRATE} packages, need exactly one")
    node = next(n for n in meta["resolve"]["nodes"] if n["id"] == found[0]["id"])
    rpc = [packages[d["pkg"]] for d in node["deps"] if packages[d["pkg"]]["name"] == RPC]
    if len(rpc) != 1:
        fail(f"cannot find {CRATE}'s {RPC} dependency in cargo metadata")
    src = {"crate": found[0], RPC.replace("-", "_"): rpc[0]}
    return {k: Path(p["manifest_path"]).parent / "src" / "model.rs" for k, p in src.items()}, found[0]["version"]


def parse_crate(text, ident):
    """Enums ({((crate ident, module path...), name): {"proto", "numbers"}}) and message structs
    ({proto name: {field: rust type}}) of one crate's model.rs. Relies on rustfmt's layout: a block
    closes with `}` at its own indent."""
    lines = text.splitlines()
    mods, enums, structs, impls = [], {}, {}, {}
    i, impl, impl_for = 0, None, None

    def arms(start, pattern):
        """Variant -> value from the match arms after line `start`, up to the UnknownValue arm."""
        end = next(k for k in range(start, len(lines)) if "Self::UnknownValue" in lines[k])
        body = "\n".join(lines[start + 1:end])
        out = dict(re.findall(r"Self::(\w+) =>\s*\{?\s*std::option::Option::Some\(" + pattern + r"\)", body))
        if len(out) != body.count("Self::"):
            fail(f"model.rs:{start + 1}: could not read an enum's value()/name() arms")
        return out

    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip())
        path = (ident,) + tuple(n for _, n in mods)
        if m := re.fullmatch(r"\s*pub mod (\w+) \{", line):
            mods.append((indent, m.group(1)))
        elif line.strip() == "}" and mods and mods[-1][0] == indent:
            mods.pop()
        elif m := re.fullmatch(r"\s*impl (\w+) \{", line):
            impl = (path, m.group(1))
        elif "pub fn value(&self) -> std::option::Option<i32> {" in line:
            numbers = arms(i + 1, r"(-?\d+)")
            j = next(k for k in range(i, len(lines))
                     if "pub fn name(&self) -> std::option::Option<&str> {" in lines[k])
            names = arms(j + 1, r'"(\w+)"')
            if set(numbers) != set(names):
                fail(f"model.rs:{i + 1}: {impl[1]}: value() and name() list different variants")
            enums.setdefault(impl, {})["numbers"] = {names[v]: int(numbers[v]) for v in names}
            i = j
        elif m := re.search(r"EnumVisitor::<(\w+)>::new\(\s*\"([\w.]+)\"", "\n".join(lines[i:i + 2])):
            enums.setdefault((path, m.group(1)), {})["proto"] = m.group(2)
        elif m := re.fullmatch(r"\s*pub struct (\w+) \{", line):
            fields, j = {}, i + 1
            while not (lines[j].strip() == "}" and len(lines[j]) - len(lines[j].lstrip()) == indent):
                if f := re.match(r"\s*pub (?:r#)?(\w+):(.*)", lines[j]):
                    decl = f.group(2)
                    while not decl.rstrip().endswith(","):
                        j += 1
                        decl += lines[j].strip()
                    fields[f.group(1)] = decl.strip().rstrip(",")
                j += 1
            impls[(path, m.group(1))] = fields
            i = j
        elif m := re.search(r'"type\.googleapis\.com/(google\.container\.v1\.[\w.]+)"', line):
            structs[m.group(1)] = impls.get((path, impl_for))
        if m := re.fullmatch(r"\s*impl wkt::message::Message for (\w+) \{", line):
            impl_for = m.group(1)
        i += 1
    bad = [k for k, v in enums.items() if "numbers" not in v or "proto" not in v]
    if bad or not enums:
        fail(f"model.rs: could not read enums {bad or '(none found)'}")
    return enums, structs


def snake(name):
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)).lower()


class EnumMatcher:
    def __init__(self, enums, structs):
        self.enums, self.problems, self.gaps = enums, [], {}
        # discovery schema (short message name) -> the crate struct's fields, when unambiguous
        by_short = {}
        for proto, fields in structs.items():
            by_short.setdefault(proto.rsplit(".", 1)[1], []).append(fields)
        self.structs = {k: v[0] for k, v in by_short.items() if len(v) == 1 and v[0] is not None}

    def typed(self, schema, field):
        """The crate enum that the crate's own struct field schema.field has, if any."""
        decl = self.structs.get(schema, {}).get(snake(field))
        refs = re.findall(r"\b(crate|google_cloud_rpc)::model::((?:\w+::)*)(\w+)", decl or "")
        if not refs:
            return None
        key = ((refs[-1][0],) + tuple(p for p in refs[-1][1].split("::") if p), refs[-1][2])
        return key if key in self.enums else None

    def numbers(self, schema, field, names):
        """NAME -> number for discovery enum schema.field, or a recorded problem."""
        where, want = f"{schema}.{field}", set(names)
        typed = self.typed(schema, field)
        if typed and set(self.enums[typed]["numbers"]) == want:
            return self.enums[typed]["numbers"]
        if typed:  # the field's own crate enum differs: report, never guess from another enum
            return self.gap(where, names, self.enums[typed],
                            f"names differ from the crate field's {self.enums[typed]['proto']}")
        same = [k for k, e in self.enums.items() if set(e["numbers"]) == want]
        local = [k for k in same if k[0][-1:] == (snake(schema),) or
                 self.enums[k]["proto"].rsplit(".", 2)[-2] == schema]
        pick = local or same
        tables = {json.dumps(self.enums[k]["numbers"], sort_keys=True) for k in pick}
        if len(tables) > 1:
            self.problems.append(f"{where}: crate enums {', '.join(self.enums[k]['proto'] for k in pick)} "
                                 "have these names with different numbers")
            return {n: None for n in names}
        if pick:
            return self.enums[pick[0]]["numbers"]
        overlap = [e for e in self.enums.values() if want & set(e["numbers"])]
        near = max(overlap, key=lambda e: (len(want & set(e["numbers"])), e["proto"]), default=None)
        return self.gap(where, names, None, f"no crate field, nor a crate enum with exactly these names (nearest: "
                        f"{near['proto'] if near else 'none'})")

    def gap(self, where, names, enum, why):
        have = enum["numbers"] if enum else {}
        missing = sorted(set(names) - set(have))
        extra = sorted(set(have) - set(names))
        if extra or KNOWN_GAPS.get(where) != missing:
            self.problems.append(f"{where}: {why}; not in the crate: {missing or 'none'}; not in discovery: "
                                 f"{extra or 'none'}; KNOWN_GAPS has {KNOWN_GAPS.get(where, 'nothing')}")
        self.gaps[where] = missing
        return {n: have.get(n) for n in names}


def methods_of(doc):
    loc = doc["resources"]["projects"]["resources"]["locations"]
    found = []
    for path in RESOURCES:
        res = loc
        for name in path:
            res = res.get("resources", {}).get(name)
            if res is None:
                fail(f"discovery has no resource projects.locations.{'.'.join(path)}")
        found += res.get("methods", {}).values()
    found += [m for m in loc.get("methods", {}).values() if m["id"].endswith(".getServerConfig")]
    return {m["id"]: {"httpMethod": m["httpMethod"], "path": m["path"],
                      "request": m.get("request", {}).get("$ref"), "response": m.get("response", {}).get("$ref")}
            for m in found}


def is_output_only(prop):
    d = prop.get("description", "").lstrip().lower()
    return prop.get("readOnly") is True or d.startswith("output only") or d.startswith("[output only]")


def is_deprecated(prop):
    return prop.get("deprecated") is True or prop.get("description", "").lstrip().startswith("Deprecated")


def field(prop, schema, name, matcher, todo):
    t, fmt = prop.get("type"), prop.get("format")
    if "$ref" in prop:
        todo.append(prop["$ref"])
        return {"type": "object", "ref": prop["$ref"]}
    if t == "string" and "enum" in prop:
        f = {"type": "enum", "enum": matcher.numbers(schema, name, prop["enum"])}
        dep = [n for n, d in zip(prop["enum"], prop.get("enumDeprecated", [])) if d]
        return {**f, "deprecatedValues": dep} if dep else f
    if t == "string" and fmt in ("int64", "uint64"):
        return {"type": fmt}
    if t == "string":
        return {"type": "string", "format": fmt} if fmt else {"type": "string"}
    if (t, fmt) in (("integer", "int32"), ("integer", "uint32"), ("number", "double"), ("number", "float")):
        return {"type": fmt}
    if t in ("boolean", "any"):
        return {"type": t}
    if t == "array":
        return {"type": "array", "items": field(prop["items"], schema, name, matcher, todo)}
    if t == "object" and isinstance(prop.get("additionalProperties"), dict):
        return {"type": "map", "values": field(prop["additionalProperties"], schema, name, matcher, todo)}
    matcher.problems.append(f"{schema}.{name}: unsupported discovery type {t!r} format {fmt!r}")
    return {"type": "any"}


def derive(ref, crate_src, rpc_src):
    doc = json.loads(Path(ref).read_text())
    models, version = locate_crates(crate_src, rpc_src)
    enums, structs = {}, {}
    for ident, model in models.items():
        e, s = parse_crate(model.read_text(), ident)
        enums.update(e)
        structs.update(s)
    matcher = EnumMatcher(enums, structs)
    methods = methods_of(doc)
    todo = sorted({m[k] for m in methods.values() for k in ("request", "response") if m[k]})
    schemas = {}
    while todo:
        name = todo.pop()
        if name in schemas:
            continue
        if name not in doc["schemas"]:
            fail(f"schema {name} is referenced but not defined in discovery")
        schemas[name] = {}
        for key, prop in doc["schemas"][name].get("properties", {}).items():
            f = field(prop, name, key, matcher, todo)
            if is_deprecated(prop):
                f["deprecated"] = True
            if is_output_only(prop):
                f["outputOnly"] = True
            schemas[name][key] = f
    stale = sorted(set(KNOWN_GAPS) - set(matcher.gaps))
    if stale:
        matcher.problems.append(f"KNOWN_GAPS lists {', '.join(stale)}, which now match the crate fully (or are "
                                "no longer reached): remove them")
    if matcher.problems:
        fail("cannot derive the GKE facts:\n  " + "\n  ".join(sorted(matcher.problems)))
    out = {"source": {"discovery": f"container.v1.json revision {doc['revision']}", "crate": f"{CRATE} {version}"},
           "methods": methods, "schemas": schemas}
    return json.dumps(out, indent=1, sort_keys=True) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", type=Path, default=REF, help="the discovery document")
    ap.add_argument("--crate-src", type=Path, help=f"{CRATE}'s src/ directory (default: from cargo metadata)")
    ap.add_argument("--rpc-src", type=Path, help=f"{RPC}'s src/ directory (default: next to --crate-src)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    args = ap.parse_args()
    text = derive(args.ref, args.crate_src, args.rpc_src)
    if args.check:
        if not args.out.exists() or args.out.read_text() != text:
            print(f"{args.out} is missing or out of date (run scripts/derive-gke-discovery.py)", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
