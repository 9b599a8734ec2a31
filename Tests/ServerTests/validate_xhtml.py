"""Checks every care record view (*.xhtml) in a directory with lxml, a real XML parser, against the
FHIR narrative rules (FHIR DSTU2, Narrative: XHTML, no active content or external references) and
the GP Connect 0.7.4 view layout (tables with a head and a body). Prints "<n> valid" or the faults."""
import re
import sys
from pathlib import Path

from lxml import etree

XHTML = "{http://www.w3.org/1999/xhtml}"
ELEMENTS = {"div", "h1", "h2", "p", "table", "thead", "tbody", "tr", "th", "td", "strong"}
ATTRIBUTES = {"id", "class", "colspan"}
FORBIDDEN = {"head", "body", "script", "style", "iframe", "frame", "form", "a", "img", "base", "link", "object", "input"}
ENTITY = re.compile(r"&(?!amp;|lt;|gt;|quot;|#[0-9]+;|#x[0-9a-fA-F]+;)")


def check(path):
    raw = path.read_text(encoding="utf-8")
    faults = []
    for control in ("\n", "\r", "\t"):
        if control in raw:
            faults.append("contains %r" % control)
    if ENTITY.search(raw):
        faults.append("uses an entity other than XML's own")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(raw.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        return ["not well-formed XHTML: %s" % error]
    if root.tag != XHTML + "div":
        faults.append("root is %s, not an XHTML div" % root.tag)
    for element in root.iter():
        if not isinstance(element.tag, str):
            faults.append("holds a comment or processing instruction")
            continue
        if not element.tag.startswith(XHTML):
            faults.append("element %s is not XHTML" % element.tag)
            continue
        name = element.tag[len(XHTML):]
        if name in FORBIDDEN or name not in ELEMENTS:
            faults.append("element <%s> is not allowed" % name)
        for attribute in element.attrib:
            if attribute.startswith("on") or attribute not in ATTRIBUTES:
                faults.append("attribute %s on <%s> is not allowed" % (attribute, name))
        if name == "table":
            heads = element.findall(XHTML + "thead")
            bodies = element.findall(XHTML + "tbody")
            if len(heads) != 1 or len(bodies) != 1 or not heads[0].findall(".//" + XHTML + "th"):
                faults.append("table %s lacks a thead with th cells and a tbody" % element.get("id"))
    if root.find(XHTML + "h1") is None:
        faults.append("no h1 section title")
    return faults


def main(directory):
    files = sorted(Path(directory).glob("*.xhtml"))
    failed = 0
    for path in files:
        faults = check(path)
        if faults:
            failed += 1
            print("%s: %s" % (path.name, "; ".join(faults)))
    print("%d valid, %d invalid" % (len(files) - failed, failed))
    return 1 if failed or not files else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
