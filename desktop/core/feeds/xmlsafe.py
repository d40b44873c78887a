"""Reading untrusted XML (feeds, OPML) with the standard library and none of its DTD tricks.

The standard library's ElementTree expands entities declared in a document's DTD, which
lets a hostile feed grow a few bytes into gigabytes ("billion laughs"), and its parser
object offers no way to refuse them. So the tree is built here from pyexpat directly, with
any entity declaration refused: no feed or OPML file needs one. A DOCTYPE without
declarations (RSS 0.91's Netscape DTD) is harmless and accepted; the external DTD it names
is never read, and external entities are never resolved.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import NoReturn
from xml.parsers import expat

__all__ = ["UnsafeXmlError", "XmlError", "parse_xml"]


class XmlError(ValueError):
    """The bytes are not well-formed XML (the message is expat's, with line and column)."""


class UnsafeXmlError(XmlError):
    """The document declares entities, which no feed or OPML file needs."""


def _refuse(*_args: object) -> NoReturn:
    raise UnsafeXmlError("the document declares entities (refused: no feed needs them)")


def _name(raw: str) -> str:
    # pyexpat gives "uri}local" for namespaced names; ElementTree spells them "{uri}local".
    return "{" + raw if "}" in raw else raw


def parse_xml(data: bytes) -> ET.Element:
    """The root element of `data`, or XmlError (UnsafeXmlError when it declares entities)."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.StartElementHandler = lambda tag, attrs: builder.start(
        _name(tag), {_name(key): value for key, value in attrs.items()}
    )
    parser.EndElementHandler = lambda tag: builder.end(_name(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XmlError(str(exc)) from exc
    try:
        return builder.close()
    except AssertionError as exc:  # TreeBuilder's way of saying there was no element
        raise XmlError("no root element") from exc
