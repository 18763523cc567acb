"""A small streaming writer of .xlsx workbooks: each sheet written row after
row as SpreadsheetML text straight into the zip, one shared-string table and
one table of cell styles for the whole workbook, native bar charts as
DrawingML. It writes what the reports need and nothing more.

Why not openpyxl: it builds an element tree for every cell it writes, some
20,000 cells a second here, so a cohort's scorecards cost six times its
JSON. Here a row is text made from memoised pieces: a cell style is
numbered once per workbook, a string once (the shared-string table), and a
row equal to one written before (the same item line of two organisations)
is the same text with another row number.

Text is cleaned (:func:`fivestar.report.text.clean`: what XML cannot carry
is dropped) and escaped; numbers are written as their JSON text
(:func:`fivestar.report.json_text.number_text`), never through a float's
artefacts (``75.1``, not ``75.09999999999999``).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from fivestar.report.json_text import number_text
from fivestar.report.text import clean
from fivestar.workbook import column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
SPREADSHEET_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
CONTENT = "application/vnd.openxmlformats-officedocument"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

EMU_PER_CM = 360_000
FLUSH_ROWS = 2000
"""Rows kept as text before they are written into the zip (and compressed)."""
SHARED_TEXTS = 10_000
"""Texts the shared-string table takes (see :class:`Strings`)."""
MEMO_LIMIT = 5_000
"""Remembered rows per workbook; past this the memo starts again (bounded
memory). The rows that repeat are a scorecard's item lines, a few hundred
kinds; a league table's rows never do: at 100,000 organisations a memo of
100,000 rows cost 150 MB; 2,000 scorecards take 2.2 s with 5,000, 2.1 s
with 100,000."""
COMPRESSION = 1
"""zlib's fastest level: a workbook's XML is repetitive and compresses well
at any level; higher levels cost several times the writing."""

ESCAPED_NAME = re.compile(r"_x[0-9A-Fa-f]{4}_")
"""Text Excel reads as an escaped character (``_x000D_``): its underscore is escaped in turn."""


def escape(text: str) -> str:
    """Text for an XML element or a double-quoted attribute."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def escape_cell(text: str) -> str:
    """A cell's text: escaped, and what Excel would read as an escaped
    character (``_x000D_``) kept as it is written."""
    if "_x" in text:
        text = ESCAPED_NAME.sub(lambda found: "_x005F" + found.group(0), text)
    return escape(text)


def text_element(text: str) -> str:
    """A text as SpreadsheetML holds it, in the shared-string table or in
    its cell: its spaces at either end kept."""
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<t{space}>{escape_cell(text)}</t>"


LETTERS = [column_letter(column) for column in range(1, 131)]


def quoted(title: str) -> str:
    """A sheet's title as a formula names it: ``'总表'``, an apostrophe doubled."""
    return "'" + title.replace("'", "''") + "'"


class Font(NamedTuple):
    bold: bool = False
    color: str | None = None
    """RGB, e.g. ``B22222``."""


class Style(NamedTuple):
    """A cell's look: its number format, font, solid fill (RGB) and whether
    its text wraps. Every styled cell is aligned to the top."""

    number: str | None = None
    font: Font | None = None
    fill: str | None = None
    wrap: bool = False


PLAIN = Style()
WHOLE = "0"
BUILT_IN_FORMATS = {"General": 0, WHOLE: 1, "0.00": 2, "@": 49}


class Styles:
    """The workbook's cell styles, each numbered once, when first used
    (number 0 is the plain cell)."""

    def __init__(self) -> None:
        self.ids: dict[Style, int] = {PLAIN: 0}
        self.fonts: dict[Font | None, int] = {None: 0}
        self.fills: dict[str | None, int] = {None: 0}
        self.formats: dict[str, int] = {}

    def id(self, style: Style) -> int:
        found = self.ids.get(style)
        if found is None:
            found = self.ids[style] = len(self.ids)
            self.fonts.setdefault(style.font, len(self.fonts))
            self.fills.setdefault(style.fill, len(self.fills) + 1)
            if style.number and style.number not in BUILT_IN_FORMATS:
                self.formats.setdefault(style.number, 164 + len(self.formats))
        return found

    def xml(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{number}" formatCode="{escape(code)}"/>' for code, number in self.formats.items()
        )
        fonts = ['<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>']
        for font in list(self.fonts)[1:]:
            assert font is not None
            bold = "<b/>" if font.bold else ""
            color = f'<color rgb="FF{font.color}"/>' if font.color else ""
            fonts.append(f'<font>{bold}<sz val="11"/>{color}<name val="Calibri"/><family val="2"/></font>')
        fills = ['<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>']
        for fill in list(self.fills)[1:]:
            fills.append(
                f'<fill><patternFill patternType="solid"><fgColor rgb="FF{fill}"/><bgColor indexed="64"/>'
                "</patternFill></fill>"
            )
        xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
        for style in list(self.ids)[1:]:
            number = BUILT_IN_FORMATS.get(style.number or "", 0) or self.formats.get(style.number or "", 0)
            font, fill = self.fonts[style.font], self.fills[style.fill]
            wrap = ' wrapText="1"' if style.wrap else ""
            applied = "".join(
                f' apply{name}="1"' for name, used in (("NumberFormat", number), ("Font", font), ("Fill", fill)) if used
            )
            xfs.append(
                f'<xf numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"{applied}'
                f' applyAlignment="1"><alignment vertical="top"{wrap}/></xf>'
            )
        return (
            f'{XML_HEAD}<styleSheet xmlns="{MAIN}">'
            f'<numFmts count="{len(self.formats)}">{formats}</numFmts>'
            f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
            f'<fills count="{len(self.fills) + 1}">{"".join(fills)}</fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


class Strings:
    """The shared-string table: each distinct text stored once, cells name it
    by number. The table is held until the file ends, so it takes the first
    :data:`SHARED_TEXTS` texts; a text met later is written in its cell
    (a league table of 100,000 names and ids would hold them all)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.uses = 0

    def id(self, text: str) -> int | None:
        """The text's number, or None when it goes in its cell."""
        found = self.index.get(text)
        if found is None:
            if len(self.index) >= SHARED_TEXTS:
                return None
            found = self.index[text] = len(self.index)
        self.uses += 1
        return found

    def xml(self) -> Iterable[str]:
        yield f'{XML_HEAD}<sst xmlns="{MAIN}" count="{self.uses}" uniqueCount="{len(self.index)}">'
        for text in self.index:
            yield f"<si>{text_element(text)}</si>"
        yield "</sst>"


SERIES_COLORS = ("B22222", "E3A857", "9E9E9E", "4F81BD", "9BBB59", "8064A2", "4BACC6", "F79646")
"""The series' fills, in order, unless a chart names its own (a workbook
without a theme has no colours of its own)."""


@dataclass
class Series:
    """A chart's series: a column of the sheet, its title in ``title_row``
    and its values in ``first``..``last``."""

    column: int
    title_row: int
    first: int
    last: int


@dataclass
class BarChart:
    """A native bar chart of a sheet's cells: ``direction`` ``col`` (upright)
    or ``bar``; the categories are the text of ``categories`` (column) in
    the series' rows; anchored at ``anchor`` (column, row, from 1), its size
    in cm."""

    title: str
    series: Sequence[Series]
    categories: int
    anchor: tuple[int, int]
    size: tuple[float, float]
    direction: str = "col"
    stacked: bool = False
    x_title: str | None = None
    y_title: str | None = None
    colors: Sequence[str] = SERIES_COLORS


def rich(text: str) -> str:
    return (
        f"<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr/></a:pPr><a:r><a:t>{escape(clean(text))}</a:t>"
        '</a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title>'
    )


def chart_xml(chart: BarChart, sheet: str) -> str:
    where = quoted(sheet)
    series = []
    for order, one in enumerate(chart.series):
        letter = LETTERS[one.column - 1]
        category = LETTERS[chart.categories - 1]
        series.append(
            f'<c:ser><c:idx val="{order}"/><c:order val="{order}"/>'
            f"<c:tx><c:strRef><c:f>{escape(where)}!${letter}${one.title_row}</c:f></c:strRef></c:tx>"
            f'<c:spPr><a:solidFill><a:srgbClr val="{chart.colors[order % len(chart.colors)]}"/></a:solidFill></c:spPr>'
            f'<c:invertIfNegative val="0"/>'
            f"<c:cat><c:strRef><c:f>{escape(where)}!${category}${one.first}:${category}${one.last}</c:f></c:strRef>"
            f"</c:cat><c:val><c:numRef><c:f>{escape(where)}!${letter}${one.first}:${letter}${one.last}</c:f>"
            "</c:numRef></c:val></c:ser>"
        )
    grouping = "stacked" if chart.stacked else "clustered"
    overlap = '<c:overlap val="100"/>' if chart.stacked else ""
    category_position, value_position = ("b", "l") if chart.direction == "col" else ("l", "b")
    x_title = rich(chart.x_title) if chart.x_title else ""
    y_title = rich(chart.y_title) if chart.y_title else ""
    return (
        f'{XML_HEAD}<c:chartSpace xmlns:c="{CHART}" xmlns:a="{DRAWING}" xmlns:r="{RELATIONSHIPS}">'
        f'<c:roundedCorners val="0"/><c:chart>{rich(chart.title)}<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>'
        f'<c:barChart><c:barDir val="{chart.direction}"/><c:grouping val="{grouping}"/><c:varyColors val="0"/>'
        f'{"".join(series)}<c:gapWidth val="150"/>{overlap}<c:axId val="10"/><c:axId val="100"/></c:barChart>'
        '<c:catAx><c:axId val="10"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{category_position}"/>{x_title}<c:numFmt formatCode="General" sourceLinked="1"/>'
        '<c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        '<c:crossAx val="100"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
        '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="100"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{value_position}"/><c:majorGridlines/>{y_title}'
        '<c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="none"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="10"/>'
        '<c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx></c:plotArea>'
        '<c:legend><c:legendPos val="r"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/>'
        '<c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'
    )


def drawing_xml(chart: BarChart) -> str:
    column, row = chart.anchor
    width, height = (round(size * EMU_PER_CM) for size in chart.size)
    return (
        f'{XML_HEAD}<xdr:wsDr xmlns:xdr="{SPREADSHEET_DRAWING}" xmlns:a="{DRAWING}">'
        f"<xdr:oneCellAnchor><xdr:from><xdr:col>{column - 1}</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{row - 1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f'<xdr:ext cx="{width}" cy="{height}"/><xdr:graphicFrame macro="">'
        '<xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="Chart 1"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>'
        '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic>'
        f'<a:graphicData uri="{CHART}"><c:chart xmlns:c="{CHART}" xmlns:r="{RELATIONSHIPS}" r:id="rId1"/>'
        "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>"
    )


def relationships(*targets: tuple[str, str]) -> str:
    """A part's relationships: (type, target) numbered rId1, rId2, ..."""
    listed = "".join(
        f'<Relationship Id="rId{number}" Type="{RELATIONSHIPS}/{kind}" Target="{target}"/>'
        for number, (kind, target) in enumerate(targets, 1)
    )
    return f'{XML_HEAD}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">{listed}</Relationships>'


@dataclass
class SheetSetup:
    """What a sheet says before its rows: column widths, the frozen cell
    (``C2``: rows above and columns left of it stay in view), the header
    rows repeated on every printed page, the autofilter's range and the
    printed footer's left and right (Excel's ``&P`` page codes)."""

    widths: Sequence[float] = ()
    freeze: str | None = None
    header_rows: int = 1
    footer: tuple[str, str] = ("", "")


class Sheet:
    """One worksheet, written row after row (see :class:`WorkbookWriter.sheet`)."""

    def __init__(self, book: WorkbookWriter, number: int, title: str, setup: SheetSetup) -> None:
        self.book = book
        self.number = number
        self.title = title
        self.setup = setup
        self.rows = 0
        self.parts: list[str] = [self._head()]
        self.stream = book.archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True)
        self.chart: BarChart | None = None
        self.filter: str | None = None

    def _head(self) -> str:
        setup = self.setup
        pane = ""
        if setup.freeze:
            column, row = split_cell(setup.freeze)
            split = ""
            if column > 1:
                split += f' xSplit="{column - 1}"'
            if row > 1:
                split += f' ySplit="{row - 1}"'
            active = {(True, True): "bottomRight", (True, False): "topRight", (False, True): "bottomLeft"}[
                (column > 1, row > 1)
            ]
            pane = (
                f'<pane{split} topLeftCell="{setup.freeze}" activePane="{active}" state="frozen"/>'
                f'<selection pane="{active}" activeCell="{setup.freeze}" sqref="{setup.freeze}"/>'
            )
        selected = ' tabSelected="1"' if self.number == 1 else ""
        columns = "".join(
            f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
            for index, width in enumerate(setup.widths, 1)
        )
        return (
            f'{XML_HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<sheetViews><sheetView workbookViewId="0"{selected}>{pane}</sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            f"{f'<cols>{columns}</cols>' if columns else ''}<sheetData>"
        )

    def write(self, values: Sequence[Any], style: Style = PLAIN, whole: Sequence[int] = ()) -> int:
        """Append a row; returns its number. Text is cleaned and always text
        (never a formula), numbers take ``style.number`` or, in the columns
        ``whole``, the format ``0``; ``None`` is an empty cell (kept only to
        show the row's fill)."""
        self.rows += 1
        book = self.book
        key = (tuple(values), style, tuple(whole))
        if bool in map(type, values):
            pieces = book.row_pieces(values, style, whole)
        elif (pieces := book.rows.get(key)) is None:
            if len(book.rows) >= MEMO_LIMIT:
                book.rows.clear()
            pieces = book.rows[key] = book.row_pieces(values, style, whole)
        self.parts.append(str(self.rows).join(pieces))
        if len(self.parts) >= FLUSH_ROWS:
            self.flush()
        return self.rows

    def autofilter(self, last_column: int, last_row: int) -> None:
        self.filter = f"A1:{LETTERS[last_column - 1]}{last_row}"

    def add_chart(self, chart: BarChart) -> None:
        self.chart = chart

    def flush(self) -> None:
        self.stream.write("".join(self.parts).encode("utf-8"))
        self.parts.clear()

    def close(self) -> None:
        setup = self.setup
        left, right = (escape(clean(text, one_line=True)) for text in setup.footer)
        footer = f"&amp;L{left}&amp;R{right}" if left or right else ""
        self.parts.append("</sheetData>")
        if self.filter:
            self.parts.append(f'<autoFilter ref="{self.filter}"/>')
        self.parts.append(
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
            f"<headerFooter><oddFooter>{footer}</oddFooter></headerFooter>"
        )
        if self.chart is not None:
            self.parts.append('<drawing r:id="rId1"/>')
        self.parts.append("</worksheet>")
        self.flush()
        self.stream.close()
        if self.chart is not None:
            self.book.add_chart(self.number, self.chart, self.title)


def split_cell(reference: str) -> tuple[int, int]:
    """``C2`` → (3, 2)."""
    letters = reference.rstrip("0123456789")
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return column, int(reference[len(letters) :])


class WorkbookWriter:
    """A workbook written into memory sheet by sheet; :meth:`close` returns
    its bytes. A number takes ``number_format`` unless its style says
    otherwise or it is in a row's ``whole`` columns (format ``0``)."""

    def __init__(self, number_format: str = "General") -> None:
        self.number_format = number_format
        self.buffer = io.BytesIO()
        self.archive = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION)
        self.styles = Styles()
        self.strings = Strings()
        self.sheets: list[Sheet] = []
        self.charts: list[int] = []
        self.rows: dict[tuple[Any, ...], list[str]] = {}
        """Rows written, by their values and style (a row holding a boolean
        is not remembered: True equals 1), as their text split where the row's
        number goes."""
        self.open: Sheet | None = None

    def __enter__(self) -> WorkbookWriter:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *_error: object) -> None:
        """A workbook left unfinished (an error, Ctrl-C, SIGTERM) is dropped
        closed: a zip collected with a sheet still open reports an error on
        stderr."""
        if error_type is not None:
            if self.open is not None:
                self.open.stream.close()
                self.open = None
            self.archive.close()

    def sheet(self, title: str, setup: SheetSetup) -> Sheet:
        """A new sheet after the others (the one before is closed): ``title``
        must already be a valid, unique sheet title."""
        if self.open is not None:
            self.open.close()
        self.open = Sheet(self, len(self.sheets) + 1, title, setup)
        self.sheets.append(self.open)
        return self.open

    def cell(self, value: Any, style: Style, whole: bool) -> str:
        """A cell's text after its reference (``<c r="A1"``)."""
        kind = value.__class__
        if kind is str:
            text = clean(value)
            style_id = self.styles.id(style)
            shown = f' s="{style_id}"' if style_id else ""
            number = self.strings.id(text)
            if number is None:
                return f'{shown} t="inlineStr"><is>{text_element(text)}</is></c>'
            return f'{shown} t="s"><v>{number}</v></c>'
        if value is None:
            if style == PLAIN:
                return ""
            return f' s="{self.styles.id(style)}"/>'
        if kind is bool:
            style_id = self.styles.id(style)
            shown = f' s="{style_id}"' if style_id else ""
            return f'{shown} t="b"><v>{int(value)}</v></c>'
        if kind is int:
            number = str(value)
        elif kind is Decimal:
            number = number_text(value)
        elif kind is float:
            number = repr(value)
        else:
            return self.cell(str(value), style, whole)
        style_id = self.styles.id(style._replace(number=WHOLE if whole else style.number or self.number_format))
        return f' s="{style_id}"><v>{number}</v></c>'

    def row_pieces(self, values: Sequence[Any], style: Style, whole: Sequence[int]) -> list[str]:
        """A row's text split where its number goes."""
        pieces = ['<row r="']
        tail = '">'
        for index, value in enumerate(values):
            text = self.cell(value, style, index in whole)
            if text:
                pieces.append(f'{tail}<c r="{LETTERS[index]}')
                tail = f'"{text}'
        pieces.append(tail + "</row>")
        return pieces

    def add_chart(self, sheet_number: int, chart: BarChart, title: str) -> None:
        number = len(self.charts) + 1
        self.charts.append(sheet_number)
        self.entry(
            f"xl/worksheets/_rels/sheet{sheet_number}.xml.rels",
            relationships(("drawing", f"../drawings/drawing{number}.xml")),
        )
        self.entry(f"xl/drawings/drawing{number}.xml", drawing_xml(chart))
        self.entry(
            f"xl/drawings/_rels/drawing{number}.xml.rels", relationships(("chart", f"../charts/chart{number}.xml"))
        )
        self.entry(f"xl/charts/chart{number}.xml", chart_xml(chart, title))

    def entry(self, name: str, text: str) -> None:
        """An entry of the zip dated as the sheets are (1980-01-01, zipfile's
        own date of an entry opened for writing), not with the time it is
        written: the same result makes the same bytes."""
        archive = self.archive
        archive.writestr(zipfile.ZipInfo(name), text, archive.compression, archive.compresslevel)

    def close(self) -> bytes:
        if self.open is not None:
            self.open.close()
            self.open = None
        archive = self.archive
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
            for text in self.strings.xml():
                stream.write(text.encode("utf-8"))
        self.entry("xl/styles.xml", self.styles.xml())
        self.entry("xl/workbook.xml", self.workbook_xml())
        sheets = [("worksheet", f"worksheets/sheet{sheet.number}.xml") for sheet in self.sheets]
        self.entry(
            "xl/_rels/workbook.xml.rels",
            relationships(*sheets, ("styles", "styles.xml"), ("sharedStrings", "sharedStrings.xml")),
        )
        self.entry("_rels/.rels", relationships(("officeDocument", "xl/workbook.xml")))
        self.entry("[Content_Types].xml", self.content_types())
        archive.close()
        return self.buffer.getvalue()

    def workbook_xml(self) -> str:
        sheets = "".join(
            f'<sheet name="{escape(sheet.title)}" sheetId="{sheet.number}" r:id="rId{sheet.number}"/>'
            for sheet in self.sheets
        )
        names = []
        for index, sheet in enumerate(self.sheets):
            if sheet.filter:
                area = "$" + sheet.filter.replace(":", ":$")
                area = re.sub(r"([A-Z]+)(\d+)", r"\1$\2", area)
                names.append(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
                    f"{escape(quoted(sheet.title))}!{area}</definedName>"
                )
            if sheet.setup.header_rows:
                names.append(
                    f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                    f"{escape(quoted(sheet.title))}!$1:${sheet.setup.header_rows}</definedName>"
                )
        defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
        return (
            f'{XML_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><workbookPr/>'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets>{defined}</workbook>"
        )

    def content_types(self) -> str:
        overrides = [
            ("/xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
            ("/xl/styles.xml", "spreadsheetml.styles+xml"),
            ("/xl/sharedStrings.xml", "spreadsheetml.sharedStrings+xml"),
        ]
        overrides += [
            (f"/xl/worksheets/sheet{sheet.number}.xml", "spreadsheetml.worksheet+xml") for sheet in self.sheets
        ]
        for number in range(1, len(self.charts) + 1):
            overrides.append((f"/xl/drawings/drawing{number}.xml", "drawing+xml"))
            overrides.append((f"/xl/charts/chart{number}.xml", "drawingml.chart+xml"))
        listed = "".join(f'<Override PartName="{part}" ContentType="{CONTENT}.{kind}"/>' for part, kind in overrides)
        return (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{listed}</Types>'
        )
