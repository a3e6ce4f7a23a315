"""REFI-QDA project (`.qdpx`) for NVivo, ATLAS.ti, MAXQDA and QualCoder.

A QDPX file is a zip holding `project.qde` (XML in the `urn:QDA-XML:project:1.0`
namespace) and the source texts under `sources/`. The tests validate every project
they write against the official QDA-XML 1.0 schema (`../shared/conformance/refi-qda`);
it follows the element and attribute names of the REFI-QDA standard, in the schema's
element order: `Project` > `Users` > `User`; `CodeBook` > `Codes` > `Code`
(`guid`, `name`, `isCodable`, `color`); `Sources` > `TextSource` (`plainTextPath`
= `internal://<guid>.txt`) > `PlainTextSelection` (`startPosition`, `endPosition`,
`creatingUser`, `creationDateTime`) > `Description` (the note) and `Coding` >
`CodeRef` (`targetGUID`).

REFI-QDA counts `startPosition`/`endPosition` in Unicode characters (code points) of
the plain text, which is exactly what Python `str` indices count, so Tagline's
offsets are written unchanged. GUIDs: annotation ids are uuids already; articles,
users, codes and codings get uuid5s derived from their names, stable across exports.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from datetime import datetime
from typing import IO
from xml.etree import ElementTree as ET

from annotations.formats import ExportContext, Format, register
from annotations.formats.matching import as_uuid, by_article
from annotations.model import Annotation, now_iso
from annotations.themes import PALETTE

NAMESPACE = "urn:QDA-XML:project:1.0"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A parser turns a literal CR into LF; `&#13;` survives. `_x` removes every NUL from
# people's text, so a NUL can stand for a CR until the XML is serialised.
_CR = "\x00"


def _x(value: str) -> str:
    """Text XML 1.0 can carry (notes and names are typed by people), CRs kept."""
    return _NOT_XML.sub("", value).replace("\r", _CR)


def _entry(name: str, stamp: str) -> zipfile.ZipInfo:
    """A zip entry dated by the data, not the clock: the same data gives the same bytes."""
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00")).timetuple()[:6]
    except ValueError:
        when = (1980, 1, 1, 0, 0, 0)
    info = zipfile.ZipInfo(name, date_time=max(when, (1980, 1, 1, 0, 0, 0)))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write(annotations: Iterable[Annotation], out: IO[bytes], ctx: ExportContext) -> int:
    annotations = list(annotations)
    # The project is as new as its newest change, so exports are reproducible.
    stamp = max((a.updated or a.created for a in annotations), default="") or now_iso()
    users: dict[str, str] = {}  # author -> guid
    codes: dict[str, str] = {}  # theme name -> guid
    sources = ET.Element("Sources")

    def user(author: str) -> str:
        author = author or "unknown"
        return users.setdefault(author, as_uuid(author, "user"))

    def code(theme: str) -> str:
        return codes.setdefault(theme, as_uuid(theme.casefold(), "code"))

    for theme in ctx.codebook:
        code(theme.name)
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for article, anns in by_article(annotations, ctx):
            guid = as_uuid(article.id, "article")
            archive.writestr(_entry(f"sources/{guid}.txt", stamp), article.text.encode("utf-8"))
            source = ET.SubElement(
                sources,
                "TextSource",
                guid=guid,
                name=_x(article.id),
                plainTextPath=f"internal://{guid}.txt",
            )
            ET.SubElement(source, "Description").text = _x(article.title)
            for ann in anns:
                coder = user(ann.author)
                # Code points, as REFI-QDA counts them: Python str indices as they are.
                selection = ET.SubElement(
                    source,
                    "PlainTextSelection",
                    guid=as_uuid(ann.id, "annotation"),
                    name=_x(ann.exact[:100]),
                    startPosition=str(ann.start),
                    endPosition=str(ann.end),
                    creatingUser=coder,
                    creationDateTime=ann.created or stamp,
                )
                if ann.updated and ann.updated != ann.created:
                    selection.set("modifyingUser", coder)
                    selection.set("modifiedDateTime", ann.updated)
                if ann.note:
                    ET.SubElement(selection, "Description").text = _x(ann.note)
                for theme in ann.themes:
                    coding = ET.SubElement(
                        selection,
                        "Coding",
                        guid=as_uuid(f"{ann.id}:{theme}", "coding"),
                        creatingUser=coder,
                        creationDateTime=ann.created or stamp,
                    )
                    ET.SubElement(coding, "CodeRef", targetGUID=code(theme))
                count += 1
        project = ET.Element(
            "Project",
            xmlns=NAMESPACE,
            name="Tagline export",
            origin="Tagline",
            creationDateTime=stamp,
        )
        if users:  # the schema wants at least one user in <Users>
            users_el = ET.SubElement(project, "Users")
            for name, guid in users.items():
                ET.SubElement(users_el, "User", guid=guid, name=_x(name))
        codes_el = ET.SubElement(ET.SubElement(project, "CodeBook"), "Codes")
        for name, guid in codes.items():
            theme = ctx.codebook.get(name)
            ET.SubElement(
                codes_el,
                "Code",
                guid=guid,
                name=_x(name),
                isCodable="true",
                color=theme.color if theme else PALETTE[-1],
            )
        if len(sources):  # the schema wants at least one source in <Sources>
            project.append(sources)
        ET.indent(project)
        xml = ET.tostring(project, encoding="utf-8", xml_declaration=True)
        xml = xml.replace(_CR.encode(), b"&#13;")
        archive.writestr(_entry("project.qde", stamp), xml)
    return count


register(
    Format(
        "qdpx",
        "REFI-QDA project for NVivo, ATLAS.ti, MAXQDA, QualCoder (zip: use -o)",
        ".qdpx",
        write,
        binary=True,
    )
)
