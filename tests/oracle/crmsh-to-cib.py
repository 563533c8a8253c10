#!/usr/bin/python3
"""Oracle for hacrm's crm parser: read a crm configuration with crmsh's own parser and print
the CIB XML that crmsh would commit. Usage: crmsh-to-cib.py FILE > cib.xml

crmsh only needs a CIB to ask which schema it is writing for; an empty one in a temp file
(CIB_file) is enough. Statements are joined across backslash continuations as crmsh does."""
import os, sys, tempfile

EMPTY = ('<cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">'
         '<configuration><crm_config/><nodes/><resources/><constraints/></configuration><status/></cib>')

def main(path):
    fd, cib = tempfile.mkstemp(suffix=".xml")
    os.write(fd, EMPTY.encode()); os.close(fd)
    os.environ["CIB_file"] = cib
    sys.argv = ["crm"]
    from crmsh import parse, cibconfig
    from lxml import etree
    cibconfig.cib_factory.initialize()

    statements, current = [], ""
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if not current and line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip():
            statements.append(current.strip())
        current = ""
    if current.strip():
        statements.append(current.strip())

    E = etree.Element
    root = E("cib"); conf = etree.SubElement(root, "configuration")
    crm_config = etree.SubElement(conf, "crm_config"); nodes = etree.SubElement(conf, "nodes")
    resources = etree.SubElement(conf, "resources"); constraints = etree.SubElement(conf, "constraints")
    rsc_defaults = op_defaults = None
    by_id, top = {}, []
    for s in statements:
        node = parse.parse(s)
        if node is None:
            sys.exit(f"crmsh could not parse: {s}")
        tag = node.tag
        if tag == "cluster_property_set":
            if node.get("id") is None:
                node.set("id", "cib-bootstrap-options" if len(crm_config) == 0 else f"cib-bootstrap-options-{len(crm_config)}")
            crm_config.append(node)
        elif tag == "node":
            if node.get("id") is None:
                node.set("id", node.get("uname"))
            nodes.append(node)
        elif tag in ("primitive", "group", "clone", "master", "template"):
            by_id[node.get("id")] = node; top.append(node)
        elif tag == "rsc_defaults":
            rsc_defaults = node
        elif tag == "op_defaults":
            op_defaults = node
        else:
            constraints.append(node)
    # crmsh names group members and clone children by reference: nest them, keep the rest on top.
    contained = set()
    for n in list(by_id.values()):
        for ref in n.findall("crmsh-ref"):
            child = by_id[ref.get("id")]
            ref.addnext(child); n.remove(ref); contained.add(child.get("id"))
    for n in top:
        if n.get("id") not in contained:
            resources.append(n)
    for d in (rsc_defaults, op_defaults):
        if d is not None:
            conf.append(d)
    os.unlink(cib)
    sys.stdout.write(etree.tostring(root, pretty_print=True).decode())

if __name__ == "__main__":
    main(sys.argv[1])
