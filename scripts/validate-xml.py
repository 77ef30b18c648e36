#!/usr/bin/env python3
"""Validate XML files against the official schemas in the shared schemas folder.

    scripts/validate-xml.py --schema mets|premis|ead3|ead2002|oai_dc|oai-pmh FILE...

Prints "valid: FILE" for each good file and every error for each bad one; exits 0 when all
files are valid, 1 when any is not (including files that are not well-formed XML or whose
root element is not the one the schema is for), 2 on a usage problem (no schema folder,
unknown schema, no xmlschema module).

The schemas are read from $LANTAI_SHARED_DIR/schemas when LANTAI_SHARED_DIR is set (and
only from there); otherwise from ../shared/schemas next to the repository (the repository root is the parent
of this scripts/ folder), and then /work/shared/schemas. Nothing is fetched from the
network: the remote imports are mapped to the local copies listed in schemas/SOURCES.md
(xlink -> xlink/xlink.xsd, dc -> dc/simpledc20021212.xsd, xml -> xml/xml.xsd).

Metadata embedded in METS <xmlData> is processContents="lax": it is validated only where the
schema set knows the element. So the METS check also loads PREMIS 3 and oai_dc, which makes
a <premis:premis> or <oai_dc:dc> inside a METS document as strictly checked as a standalone
one; elements of other namespaces (the lantai DA/T 18 block) are only checked for
well-formedness. Likewise the OAI-PMH check loads oai_dc and oai-identifier, because
OAI-PMH.xsd validates <metadata> and <description> strictly.
"""
import argparse
import os
import sys
from pathlib import Path

XLINK = "http://www.w3.org/1999/xlink"
DC = "http://purl.org/dc/elements/1.1/"
XML = "http://www.w3.org/XML/1998/namespace"

METS_NS = "http://www.loc.gov/METS/"
PREMIS_NS = "http://www.loc.gov/premis/v3"
EAD3_NS = "http://ead3.archivists.org/schema/"
EAD2002_NS = "urn:isbn:1-931666-22-9"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_PMH_NS = "http://www.openarchives.org/OAI/2.0/"

# name -> (schema files loaded together, the main one first; allowed root elements)
SCHEMAS = {
    "mets": (
        ["mets/mets.xsd", "premis/premis.xsd", "oai-pmh/oai_dc.xsd"],
        [(METS_NS, "mets")],
    ),
    "premis": (
        ["premis/premis.xsd"],
        [(PREMIS_NS, n) for n in ("premis", "object", "event", "agent", "rights")],
    ),
    "ead3": (["ead3/ead3.xsd"], [(EAD3_NS, "ead")]),
    "ead2002": (["ead2002/ead.xsd"], [(EAD2002_NS, "ead")]),
    "oai_dc": (["oai-pmh/oai_dc.xsd"], [(OAI_DC_NS, "dc")]),
    "oai-pmh": (
        ["oai-pmh/OAI-PMH.xsd", "oai-pmh/oai_dc.xsd", "oai-pmh/oai-identifier.xsd"],
        [(OAI_PMH_NS, "OAI-PMH")],
    ),
}


def schemas_dir():
    """The shared schemas folder, or None."""
    env = os.environ.get("LANTAI_SHARED_DIR")
    if env:
        # Set explicitly: that folder or nothing, never a silent fallback to another copy.
        base = Path(env).expanduser().resolve()
        for c in (base / "schemas", base):  # the shared folder, or its schemas/ folder itself
            if (c / "mets" / "mets.xsd").is_file():
                return c, [c]
        return None, [base / "schemas"]
    candidates = []
    repo_root = Path(__file__).resolve().parent.parent
    candidates.append((repo_root / ".." / "shared" / "schemas").resolve())
    candidates.append(Path("/work/shared/schemas"))
    for c in candidates:
        if (c / "mets" / "mets.xsd").is_file():
            return c, candidates
    return None, candidates


def split_tag(tag):
    if isinstance(tag, str) and tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def main(argv):
    parser = argparse.ArgumentParser(
        description="Validate XML files against the official XSDs in the shared schemas folder.")
    parser.add_argument("--schema", required=True, choices=sorted(SCHEMAS))
    parser.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args(argv)

    try:
        import xmlschema
    except ImportError:
        print("validate-xml: the python module xmlschema is not installed "
              "(pip install xmlschema)", file=sys.stderr)
        return 2

    root, tried = schemas_dir()
    if root is None:
        print("validate-xml: no schemas folder found; tried: "
              + ", ".join(str(t) for t in tried)
              + " (set LANTAI_SHARED_DIR to the folder holding schemas/)", file=sys.stderr)
        return 2

    files, roots = SCHEMAS[args.schema]
    locations = {
        XLINK: str(root / "xlink" / "xlink.xsd"),
        DC: str(root / "dc" / "simpledc20021212.xsd"),
        XML: str(root / "xml" / "xml.xsd"),
    }
    try:
        schema = xmlschema.XMLSchema([str(root / f) for f in files],
                                     locations=locations, allow="local")
    except Exception as exc:  # a broken schema folder is a usage problem, not an invalid file
        print(f"validate-xml: cannot load the {args.schema} schema from {root}: {exc}",
              file=sys.stderr)
        return 2

    invalid = 0
    for name in args.files:
        errors = []
        try:
            resource = xmlschema.XMLResource(name, allow="local")
            ns, local = split_tag(resource.root.tag)
            if (ns, local) not in roots:
                want = " or ".join(f"{{{n}}}{l}" for n, l in roots)
                errors.append(f"root element is {{{ns}}}{local}, expected {want}")
            else:
                for err in schema.iter_errors(resource):
                    where = f" at {err.path}" if getattr(err, "path", None) else ""
                    errors.append(f"{err.reason or err.message}{where}")
        except Exception as exc:  # not found, not well-formed, not XML at all
            errors.append(f"{type(exc).__name__}: {exc}")
        if errors:
            invalid += 1
            print(f"INVALID: {name} ({len(errors)} error{'s' if len(errors) != 1 else ''})")
            for e in errors:
                print(f"  - {e}")
        else:
            print(f"valid: {name}")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
