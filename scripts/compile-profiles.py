#!/usr/bin/env python3
"""Compiles the facts a profile-conformance check needs from the NHS StructureDefinitions.

    scripts/compile-profiles.py STU3-FHIR-ASSETS.git CARECONNECT-PROFILES.git [OUT]

The two arguments are git directories (bare or not) of nhsconnect/STU3-FHIR-Assets and
nhsconnect/CareConnect-profiles; the files are read from the branches `develop` and
`feature/stu3` (override with ASSETS_REF / CARECONNECT_REF). OUT defaults to
Tests/ServerTests/Profiles/profiles.json. The output is deterministic: same commits, same bytes.

What is compiled:
- every GP Connect resource profile of the assets (`StructureDefinitions/CareConnect-GPC-*` and
  `GPConnect-*`), and every extension definition of both repositories;
- per element (by element id, slices included): min/max, types with their profiles, fixed and
  pattern values, slicing (discriminators, rules), bindings (strength, value set);
- for profiles published with a differential only, a snapshot is synthesised: the FHIR base
  cardinalities (read from the `base` of every published snapshot element, resources and data
  types alike) with the differential laid over them;
- extension contexts (contextType + context);
- every value set a required binding names, with its codes where the assets enumerate them
  (explicit concepts, or a whole CodeSystem defined in the assets); value sets defined by a
  filter (SNOMED CT expressions) or not in the assets are marked `enumerated: false`.
"""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

NS = {"f": "http://hl7.org/fhir"}
F = "{http://hl7.org/fhir}"


def git(gitdir, *args):
    return subprocess.check_output(["git", "--git-dir", gitdir, *args], stderr=subprocess.DEVNULL)


def blobs(gitdir, ref, folders):
    """{path: bytes} of the XML files in `folders` at `ref`, read through one `git cat-file --batch`."""
    listing = git(gitdir, "ls-tree", "-r", ref, "--", *folders).decode().splitlines()
    entries = []
    for line in listing:
        meta, path = line.split("\t", 1)
        if path.endswith(".xml"):
            entries.append((path, meta.split()[2]))
    entries.sort()
    process = subprocess.Popen(["git", "--git-dir", gitdir, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out = {}
    for path, sha in entries:
        process.stdin.write((sha + "\n").encode())
        process.stdin.flush()
        header = process.stdout.readline().split()
        size = int(header[2])
        out[path] = process.stdout.read(size)
        process.stdout.read(1)
    process.stdin.close()
    process.wait()
    return out


def parse(path, data):
    try:
        return ET.fromstring(data)
    except ET.ParseError as error:
        print(f"skipped {path}: {error}", file=sys.stderr)
        return None


def value(node, tag):
    child = node.find("f:" + tag, NS)
    return child.get("value") if child is not None else None


def to_json(node):
    """An XML FHIR datatype value as its JSON form (enough for fixed/pattern Codings, CodeableConcepts, Identifiers)."""
    children = list(node)
    if not children:
        return node.get("value")
    out = {}
    for child in children:
        name = child.tag.replace(F, "")
        out.setdefault(name, []).append(to_json(child))
    single = {"system", "code", "display", "version", "text", "value", "use", "userSelected", "url"}
    return {k: (v[0] if k in single and len(v) == 1 else v) for k, v in out.items()}


def element_facts(element):
    facts = {"id": element.get("id") or value(element, "path"), "path": value(element, "path")}
    for key in ("min", "max"):
        if value(element, key) is not None:
            facts[key] = int(value(element, key)) if key == "min" else value(element, key)
    base = element.find("f:base", NS)
    if base is not None:
        facts["base"] = [value(base, "path"), int(value(base, "min") or 0), value(base, "max")]
    types = []
    for t in element.findall("f:type", NS):
        if value(t, "code") is None:  # the primitive `value` of a primitive type
            continue
        entry = {"code": value(t, "code")}
        profiles = [p.get("value") for p in t.findall("f:profile", NS)]
        targets = [p.get("value") for p in t.findall("f:targetProfile", NS)]
        if profiles:
            entry["profile"] = profiles
        if targets:
            entry["targetProfile"] = targets
        types.append(entry)
    if types:
        facts["types"] = types
    for child in element:
        tag = child.tag.replace(F, "")
        if tag.startswith("fixed") or tag.startswith("pattern"):
            kind = "fixed" if tag.startswith("fixed") else "pattern"
            facts[kind] = {"type": tag[len(kind):], "value": to_json(child)}
    slicing = element.find("f:slicing", NS)
    if slicing is not None:
        facts["slicing"] = {
            "discriminator": [[value(d, "type"), value(d, "path")] for d in slicing.findall("f:discriminator", NS)],
            "rules": value(slicing, "rules") or "open",
        }
    if value(element, "sliceName"):
        facts["sliceName"] = value(element, "sliceName")
    binding = element.find("f:binding", NS)
    if binding is not None:
        reference = binding.find("f:valueSetReference/f:reference", NS)
        uri = binding.find("f:valueSetUri", NS)
        facts["binding"] = {"strength": value(binding, "strength")}
        if reference is not None or uri is not None:
            facts["binding"]["valueSet"] = (reference if reference is not None else uri).get("value")
    return facts


class Compiler:
    def __init__(self, assets, careconnect, assets_ref, careconnect_ref):
        self.sources = [(assets, assets_ref), (careconnect, careconnect_ref)]
        self.definitions = {}  # url -> (root, origin)
        self.codesystems = {}
        self.valuesets = {}
        for gitdir, ref in self.sources:
            folders = ("StructureDefinitions", "constraints", "CodeSystems", "codesystems", "ValueSets", "valuesets")
            for path, data in blobs(gitdir, ref, folders).items():
                root = parse(path, data)
                if root is None:
                    continue
                url = value(root, "url")
                kind = root.tag.replace(F, "")
                table = {"StructureDefinition": self.definitions, "CodeSystem": self.codesystems, "ValueSet": self.valuesets}.get(kind)
                # A URL defined in both: each repository wins for its own domain (fhir.hl7.org.uk is
                # CareConnect's; the assets keep older copies of some CareConnect code systems).
                if table is None or not url:
                    continue
                own = url.startswith("https://fhir.hl7.org.uk/") == (gitdir == careconnect)
                if url not in table or own:
                    table[url] = (root, path)
        self.base = self.harvest_base()

    def harvest_base(self):
        """FHIR base cardinalities and types, from the `base` of every published snapshot element."""
        base = {}
        for root, _ in self.definitions.values():
            snapshot = root.find("f:snapshot", NS)
            if snapshot is None:
                continue
            for element in snapshot.findall("f:element", NS):
                b = element.find("f:base", NS)
                if b is None or ":" in (element.get("id") or ""):
                    continue
                path = value(b, "path")
                types = [value(t, "code") for t in element.findall("f:type", NS) if value(t, "code")]
                if path.endswith("[x]"):
                    types = []  # a profile narrows a choice: the base's own list is not known here
                if path not in base:
                    base[path] = {"min": int(value(b, "min") or 0), "max": value(b, "max"), "types": types}
        return base

    def base_of(self, path, types_by_path):
        """The base facts of a path like `Appointment.identifier.use`, following data types."""
        if path in self.base:
            return self.base[path]
        parts = path.split(".")
        for ancestor in ("DomainResource", "Resource"):
            candidate = ".".join([ancestor] + parts[1:])
            if len(parts) > 1 and candidate in self.base:
                return self.base[candidate]
        if len(parts) < 2:
            return None
        parent = ".".join(parts[:-1])
        types = types_by_path.get(parent) or (self.base_of(parent, types_by_path) or {}).get("types") or []
        if len(types) == 1 and types[0] not in ("BackboneElement", "Element"):
            candidate = types[0] + "." + parts[-1]
            if candidate != path:
                return self.base_of(candidate, types_by_path)
        return None

    def elements(self, url):
        root, _ = self.definitions[url]
        snapshot = root.find("f:snapshot", NS)
        if snapshot is not None:
            return [element_facts(e) for e in snapshot.findall("f:element", NS)], "snapshot"
        # Differential only: base cardinalities with the differential laid over them.
        differential = [element_facts(e) for e in root.find("f:differential", NS).findall("f:element", NS)]
        kind = value(root, "type")
        out = {}
        order = []
        inherited_roots = ["Resource", "DomainResource"] if kind != "Extension" else ["Element"]
        for path, facts in sorted(self.base.items()):
            root_name = path.split(".")[0]
            if path == kind or path.startswith(kind + ".") or (root_name in inherited_roots and path.count(".") == 1):
                local = kind + path[len(root_name):]
                if local in out:
                    continue
                out[local] = {"id": local, "path": local, "min": facts["min"], "max": facts["max"], "types": [{"code": t} for t in facts["types"]]}
                order.append(local)
        types_by_path = {p: [t["code"] for t in f.get("types", [])] for p, f in out.items()}
        for facts in differential:
            element_id = facts["id"]
            plain = ".".join(part.split(":")[0] for part in element_id.split("."))
            inherited = out.get(element_id) or out.get(plain)
            if inherited is None:
                b = self.base_of(plain, types_by_path)
                inherited = {"min": b["min"], "max": b["max"], "types": [{"code": t} for t in b["types"]]} if b else {"min": 0, "max": "*"}
            merged = dict(inherited)
            merged.update(facts)
            merged["id"] = element_id
            if element_id not in out:
                order.append(element_id)
            out[element_id] = merged
            if facts.get("types"):
                types_by_path[element_id] = [t["code"] for t in facts["types"]]
        return [out[i] for i in order], "differential over FHIR base cardinalities"

    def codes(self, vs_url, seen=None):
        """(enumerated, [[system, code], ...]) for a value set."""
        seen = seen or set()
        if vs_url in seen or vs_url not in self.valuesets:
            return False, []
        seen.add(vs_url)
        root, _ = self.valuesets[vs_url]
        codes = []
        enumerated = True
        expansion = root.find("f:expansion", NS)
        compose = root.find("f:compose", NS)
        if compose is None and expansion is not None:
            for c in expansion.iter(F + "contains"):
                codes.append([value(c, "system"), value(c, "code")])
            return True, codes
        if compose is None:
            return False, []
        for include in compose.findall("f:include", NS):
            system = value(include, "system")
            for imported in include.findall("f:valueSet", NS):
                ok, more = self.codes(imported.get("value"), seen)
                enumerated = enumerated and ok
                codes += more
            if include.findall("f:filter", NS):
                enumerated = False
                continue
            concepts = include.findall("f:concept", NS)
            if concepts:
                codes += [[system, value(c, "code")] for c in concepts]
            elif system:
                if system in self.codesystems:
                    codesystem, _ = self.codesystems[system]
                    codes += [[system, value(c, "code")] for c in codesystem.iter(F + "concept")]
                else:
                    enumerated = False
        if compose.findall("f:exclude", NS):
            excluded = set()
            for exclude in compose.findall("f:exclude", NS):
                system = value(exclude, "system")
                excluded |= {(system, value(c, "code")) for c in exclude.findall("f:concept", NS)}
            codes = [c for c in codes if tuple(c) not in excluded]
        return enumerated, codes

    def compile(self):
        profiles = {}
        wanted = []
        for url, (root, path) in sorted(self.definitions.items()):
            name = url.rsplit("/", 1)[-1]
            kind = value(root, "kind")
            if value(root, "type") == "Extension" and value(root, "derivation") == "constraint":
                wanted.append(url)
            elif kind == "resource" and (name.startswith("CareConnect-GPC-") or name.startswith("GPConnect-")):
                wanted.append(url)
        valuesets = set()
        for url in wanted:
            root, path = self.definitions[url]
            elements, source = self.elements(url)
            entry = {"type": value(root, "type"), "source": path + " (" + source + ")"}
            if source != "snapshot":
                # Children of nested elements are listed only where the differential names them.
                entry["partial"] = True
            contexts = [c.get("value") for c in root.findall("f:context", NS)]
            if contexts:
                entry["context"] = {"type": value(root, "contextType"), "paths": contexts}
            # `.id` of nested elements is always 0..1 and never constrained: left out to keep the file small.
            entry["elements"] = [
                e for e in elements if not (e["id"].endswith(".id") and e["id"].count(".") > 1 and e.get("max") == "1" and "fixed" not in e)
            ]
            for e in entry["elements"]:
                e.pop("base", None)
                e.pop("path", None) if e.get("path") == e["id"] else None
                b = e.get("binding")
                if b and b["strength"] == "required" and b.get("valueSet"):
                    valuesets.add(b["valueSet"])
            profiles[url] = entry
        sets = {}
        for url in sorted(valuesets):
            enumerated, codes = self.codes(url)
            if url not in self.valuesets:
                sets[url] = {"enumerated": False, "note": "not defined in the assets"}
            else:
                root, _ = self.valuesets[url]
                systems = sorted({value(i, "system") for i in root.findall("f:compose/f:include", NS) if value(i, "system")})
                sets[url] = {"enumerated": enumerated, "codes": sorted({tuple(c) for c in codes if c[1]})}
                if not enumerated and systems:
                    # A filter (a SNOMED CT expression): only the code system can be checked.
                    sets[url]["systems"] = systems
        commits = {}
        for (gitdir, ref), name in zip(self.sources, ("nhsconnect/STU3-FHIR-Assets", "nhsconnect/CareConnect-profiles")):
            commits[name] = ref + " " + git(gitdir, "rev-parse", ref).decode().strip()
        # The resource type behind every profile a Reference may target.
        types = {url: value(root, "type") for url, (root, _) in sorted(self.definitions.items()) if value(root, "kind") == "resource"}
        return {"generatedBy": "scripts/compile-profiles.py", "sources": commits, "profiles": profiles, "valueSets": sets, "profileTypes": types}


def write(facts, out):
    """JSON with one element per line, so a regenerated file diffs readably."""
    lines = ["{"]
    lines.append(f'  "generatedBy": {json.dumps(facts["generatedBy"])},')
    lines.append(f'  "sources": {json.dumps(facts["sources"], sort_keys=True)},')
    lines.append('  "profiles": {')
    items = list(facts["profiles"].items())
    for i, (url, entry) in enumerate(items):
        head = {k: v for k, v in entry.items() if k != "elements"}
        lines.append(f"    {json.dumps(url)}: {{")
        for k, v in head.items():
            lines.append(f"      {json.dumps(k)}: {json.dumps(v, sort_keys=True)},")
        lines.append('      "elements": [')
        elements = entry["elements"]
        for j, e in enumerate(elements):
            lines.append("        " + json.dumps(e, sort_keys=True) + ("," if j < len(elements) - 1 else ""))
        lines.append("      ]")
        lines.append("    }" + ("," if i < len(items) - 1 else ""))
    lines.append("  },")
    lines.append(f'  "profileTypes": {json.dumps(facts["profileTypes"], sort_keys=True)},')
    lines.append('  "valueSets": {')
    sets = list(facts["valueSets"].items())
    for i, (url, entry) in enumerate(sets):
        lines.append(f"    {json.dumps(url)}: {json.dumps(entry, sort_keys=True)}" + ("," if i < len(sets) - 1 else ""))
    lines.append("  }")
    lines.append("}")
    with open(out, "w") as handle:
        handle.write("\n".join(lines) + "\n")


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "Tests/ServerTests/Profiles/profiles.json")
    compiler = Compiler(
        sys.argv[1], sys.argv[2], os.environ.get("ASSETS_REF", "develop"), os.environ.get("CARECONNECT_REF", "feature/stu3"))
    facts = compiler.compile()
    os.makedirs(os.path.dirname(out), exist_ok=True)
    write(facts, out)
    print(f"{len(facts['profiles'])} profiles, {len(facts['valueSets'])} value sets -> {out}")


if __name__ == "__main__":
    main()
