#!/usr/bin/env python3
"""Writes crafted workbooks into the xlsx_reader fuzz corpus (issue 13, item 3).

Each is a shape an attacker (or a broken export) sends: a sheet that declares
17 billion cells, a dimension that lies about where the cells are, a part that
unpacks far beyond its size, a workbook of many parts, an ODS file and a zip whose
size fields lie. The reader must refuse each with an error, never allocate for it.

    scripts/fuzz-seeds.py DIR
"""
import io
import os
import struct
import sys
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Udtraek" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '</Relationships>'
)

SST_OPEN = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def sheet(dimension, cells):
    rows = "".join(
        f'<row r="{r}"><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>' for r, ref, text in cells
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )


def workbook(sheet_xml, extra=()):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in extra:
            z.writestr(name, data)
    return out.getvalue()


def lying_sizes(data):
    """The same zip with every uncompressed size in the central directory set to 1."""
    data = bytearray(data)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        struct.pack_into("<I", data, at + 24, 1)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def main(target):
    os.makedirs(target, exist_ok=True)
    cells = [(1, "A1", "CPR"), (1, "B1", "Måned"), (1, "C1", "Beløb"), (2, "A2", "0707614286"), (2, "B2", "2026-01"), (2, "C2", "1200")]
    seeds = {
        "crafted-whole-sheet.xlsx": workbook(sheet("A1:XFD1048576", cells + [(1048576, "XFD1048576", "x")])),
        "crafted-far-cell-small-dimension.xlsx": workbook(sheet("A1:C2", cells + [(1048576, "XFD1048576", "x")])),
        "crafted-shared-strings-bomb.xlsx": workbook(
            sheet("A1:C2", cells), [("xl/sharedStrings.xml", SST_OPEN + " " * (64 * 1024 * 1024) + "</sst>")]
        ),
        "crafted-many-parts.xlsx": workbook(
            sheet("A1:C2", cells), [(f"xl/media/p{i}.xml", "") for i in range(1200)]
        ),
        "crafted-lying-sizes.xlsx": lying_sizes(workbook(sheet("A1:C2", cells))),
    }
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    seeds["crafted-ods.ods"] = ods.getvalue()
    for name, data in seeds.items():
        with open(os.path.join(target, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus/xlsx_reader")
