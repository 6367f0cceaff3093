"""Reading a Cloudplan SOAP 1.1 request safely and strictly, and writing faults.

CP-F-3: a DOCTYPE or entity declaration is refused before any parser sees it; the parser itself
never resolves entities, loads DTDs or touches the network. CP-F-1: anything malformed becomes a
soap:Client fault "Unmarshalling Error: …" (HTTP 500), the way CXF/JAXB reports it.
"""
from __future__ import annotations

import re
from itertools import islice
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from lxml import etree

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
NS = "https://api.cloudplan.nl/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, remove_comments=True, remove_pis=True, collect_ids=False)
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_PLAIN_DECL = re.compile(rb"""<\?xml\s+version\s*=\s*["']1\.0["'](?:\s+encoding\s*=\s*["']([A-Za-z0-9._-]+)["'])?"""
                         rb"""(?:\s+standalone\s*=\s*["'](?:yes|no)["'])?\s*\?>""")
_XMLNS = re.compile(rb"""xmlns(?::[^\s=]*)?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# Namespace names the expat path takes as written; libxml2 judges any other (it refuses some
# that expat takes, e.g. one that is not a valid URI).
_PLAIN_NAMESPACES = {v.encode() for v in (SOAP11, SOAP12, NS, XSI, "http://www.w3.org/2001/XMLSchema", "")}
PLAIN_MAX_ELEMENTS = 200  # under libxml2's depth limit (256)
PLAIN_MAX_BYTES = 32 * 1024  # under libxml2's longest name (50,000) and text node (10 MB)
_MISMATCH = re.compile(r"Opening and ending tag mismatch: (\S+) line \d+ and (\S+)")


class Fault(Exception):
    """A SOAP fault to answer instead of a response."""

    def __init__(self, message: str, code: str = "Client"):
        super().__init__(message)
        self.message = message
        self.code = code


def unmarshalling(message: str) -> Fault:
    return Fault("Unmarshalling Error: " + message)


def parse_envelope(body: bytes):
    """CP-F-1, CP-F-3: the operation element inside a SOAP 1.1 Body, or a Fault."""
    if _DTD.search(body):
        raise unmarshalling("DOCTYPE is not allowed: DTDs and entity declarations are refused")
    if not body.strip():
        raise unmarshalling("Premature end of file.")
    root = _read_plain(body)
    if root is None:
        root = _read_libxml2(body)
    if root.tag == f"{{{SOAP12}}}Envelope":
        raise Fault("Wrong SOAP version: this endpoint speaks SOAP 1.1", code="VersionMismatch")
    if root.tag != f"{{{SOAP11}}}Envelope":
        raise unmarshalling(f'unexpected element {_qname(root)}. Expected elements are <{{{SOAP11}}}Envelope>')
    for header in [c for c in root if c.tag == f"{{{SOAP11}}}Header"]:
        must = [c.tag for c in header if isinstance(c.tag, str) and c.get(f"{{{SOAP11}}}mustUnderstand") in ("1", "true")]
        if must:  # no header blocks are understood here (SOAP 1.1 section 4.2.3)
            raise Fault(f"MustUnderstand headers: [{', '.join(must)}] are not understood.", code="MustUnderstand")
    bodies = [c for c in root if isinstance(c.tag, str) and c.tag == f"{{{SOAP11}}}Body"]
    if len(bodies) != 1:
        raise unmarshalling("the SOAP Envelope must contain exactly one Body")
    ops = [c for c in bodies[0] if isinstance(c.tag, str)]
    if len(ops) != 1:
        raise unmarshalling("the SOAP Body must contain exactly one operation element")
    return ops[0]


def _read_plain(body: bytes):
    """The tree as expat reads it (xml.etree), or None where only libxml2 may answer.

    Why two parsers: lxml lets the GIL go twice per parse (taking its parser lock, then parsing),
    and with 16 server threads every release hands the GIL to another request (two such releases
    cost a CAPO GET 27% of its throughput); expat keeps it. libxml2 stays the reference: it reads
    whatever expat refuses (and words the error, CP-F-1), any encoding but UTF-8 (where the DOCTYPE
    byte scan could miss, CP-F-3), XML 1.1, and any body big enough to reach one of its limits
    (depth, name length, text size), and any namespace name it might judge differently.
    tests/cloudplan/test_envelope_parsers.py holds the two readers to the same answers."""
    if body[:1] != b"<" or len(body) > PLAIN_MAX_BYTES:
        return None  # a BOM, leading junk or a large body: libxml2's business
    if body.startswith(b"<?xml"):
        decl = _PLAIN_DECL.match(body)
        if decl is None or (decl.group(1) or b"utf-8").lower() != b"utf-8":
            return None
    if not _namespace_names(body) <= _PLAIN_NAMESPACES:
        return None
    parser = ElementTree.XMLParser()
    try:
        parser.feed(body)
        root = parser.close()
    except ElementTree.ParseError:
        return None
    if len(list(islice(root.iter(), PLAIN_MAX_ELEMENTS + 1))) > PLAIN_MAX_ELEMENTS:
        return None
    return root


def _namespace_names(body: bytes) -> set:
    return {m.group(1) if m.group(2) is None else m.group(2) for m in _XMLNS.finditer(body)}


def _read_libxml2(body: bytes):
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise unmarshalling(_syntax_message(exc)) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # e.g. UTF-16, which the byte scan misses
        raise unmarshalling("DOCTYPE is not allowed: DTDs and entity declarations are refused")
    return root


def _syntax_message(exc: etree.XMLSyntaxError) -> str:
    """Woodstox wording for a wrong close tag (as in the seed's example), libxml2's otherwise."""
    line, col = exc.position if exc.position else (0, 0)
    msg = str(exc.msg if hasattr(exc, "msg") else exc)
    mm = _MISMATCH.search(msg)
    if mm:
        msg = f"Unexpected close tag </{mm.group(2).rstrip(',')}>; expected </{mm.group(1)}>."
    else:
        msg = re.sub(r",? line \d+, column \d+$", "", msg).strip()
    return f"{msg}\n at [row,col {{unknown-source}}]: [{line},{col}]"


def _qname(el) -> str:
    q = etree.QName(el.tag)  # the tag, not the element: both parsers' elements have one
    return f'(uri:"{q.namespace or ""}", local:"{q.localname}")'


def children(el, allowed, once=()) -> list:
    """Element children, each unqualified and in `allowed` (CP-WS-3); anything else is the JAXB
    'unexpected element' unmarshalling error. Whitespace-only text around them is ignored. A tag in
    `once` (one of the WSDL's sequence) given twice is an error too: the last must not win silently."""
    return [child for _tag, child in tagged_children(el, allowed, once)]


def tagged_children(el, allowed, once=()) -> list:
    """children() as (tag, element) pairs: lxml builds a new string on every `.tag`, and the
    request readers need the tag of each child again (the hot path)."""
    out, seen = [], set()
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag not in allowed:
            expected = ",".join(f"<{{}}{a}>" for a in allowed)
            raise unmarshalling(f"unexpected element {_qname(child)}. Expected elements are {expected}")
        if tag in once:
            if tag in seen:
                raise unmarshalling(f"<{tag}> may appear only once in <{etree.QName(el.tag).localname}>")
            seen.add(tag)
        out.append((tag, child))
    if out:
        own = el.text
        if own and own.strip():
            raise unmarshalling(f"unexpected text in <{etree.QName(el.tag).localname}>")
    return out


def text(el) -> str:
    if len(el):
        raise unmarshalling(f"unexpected element {_qname(el[0])} inside <{etree.QName(el.tag).localname}>")
    return el.text or ""


def fault_xml(message: str, code: str = "Client") -> bytes:
    """A SOAP 1.1 Fault as CXF writes it (CP-F-1)."""
    return (f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><soap:Fault><faultcode>soap:{code}</faultcode>'
            f'<faultstring>{escape(message)}</faultstring></soap:Fault></soap:Body></soap:Envelope>').encode()
