"""The KPI workbook: sheets described as plain data, written with xlsxwriter.

Nothing here reads the database: sections build ``Sheet`` values, and
``write_workbook`` turns them into one XLSX file.
"""
import datetime
import re
from collections import namedtuple

import xlsxwriter

# kind: text, int, number, money, percent (a fraction: 0.25 is 25 %) or date.
Column = namedtuple('Column', 'label kind width')
# kind: line, column, stacked_column or pie; categories and values are column indexes.
Chart = namedtuple('Chart', 'kind title categories values')
Sheet = namedtuple('Sheet', 'title columns rows charts')
# One line of the summary sheet.
Figure = namedtuple('Figure', 'section label value kind')

FORMULA_START = ('=', '+', '-', '@', '\t', '\0')
# Characters XML 1.0 cannot hold: a workbook containing one does not open.
XML_ILLEGAL = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f]')
NUMBER_FORMATS = {
    'int': '#,##0',
    'number': '#,##0.00',
    'money': '#,##0.00',
    'percent': '0.0%',
    'date': 'yyyy-mm-dd',
}
SHEET_NAME_ILLEGAL = re.compile(r'[\[\]:*?/\\]')
CHART_ROWS = 18
# xlsxwriter's chart options of the kinds that are not plain chart types.
CHART_OPTIONS = {'stacked_column': {'type': 'column', 'subtype': 'stacked'}}


def column(label, kind='text', width=None):
    return Column(label, kind, width or (30 if kind == 'text' else 14))


def safe_text(value):
    """User text as inert text: a leading formula character gets a quote prefix,
    so that no spreadsheet (nor a later CSV export of it) evaluates it."""
    text = '%s' % value
    if text.startswith(FORMULA_START):
        text = "'" + text
    return XML_ILLEGAL.sub('', text)


def sheet_name(title, taken):
    """An Excel sheet name: at most 31 characters, no []:*?/\\, unique."""
    base = SHEET_NAME_ILLEGAL.sub(' ', title).strip()[:31] or 'Sheet'
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        suffix = ' (%d)' % n
        name = base[:31 - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def share(part, whole):
    """part / whole, 0 when whole is 0."""
    return part / whole if whole else 0.0


class _Writer(object):

    def __init__(self, stream):
        # constant_memory streams each row to disk: big sheets stay cheap.
        self.book = xlsxwriter.Workbook(stream, {
            'constant_memory': True,
            'strings_to_formulas': False,
            'strings_to_urls': False,
            'strings_to_numbers': False,
            'default_date_format': NUMBER_FORMATS['date'],
        })
        self.names = set()
        book = self.book
        self.title = book.add_format({'bold': True, 'font_size': 14})
        self.header = book.add_format({'bold': True, 'bg_color': '#DDE4EE', 'border': 1,
                                       'text_wrap': True, 'valign': 'top'})
        self.label = book.add_format({'bold': True})
        self.formats = {kind: book.add_format({'num_format': fmt})
                        for kind, fmt in NUMBER_FORMATS.items()}
        self.formats['text'] = None

    def cell(self, ws, row, col, value, kind):
        if value is None or value is False:
            ws.write_blank(row, col, None)
        elif kind == 'date':
            if isinstance(value, str):
                value = datetime.datetime.strptime(value[:10], '%Y-%m-%d')
            elif not isinstance(value, datetime.datetime):
                value = datetime.datetime.combine(value, datetime.time())
            ws.write_datetime(row, col, value, self.formats['date'])
        elif kind == 'text':
            ws.write_string(row, col, safe_text(value))
        else:
            ws.write_number(row, col, value, self.formats[kind])

    def summary(self, heading, lines, figures, figure_headers):
        ws = self.book.add_worksheet(sheet_name(heading, self.names))
        ws.set_column(0, 0, 28)
        ws.set_column(1, 1, 36)
        ws.set_column(2, 2, 18)
        ws.write_string(0, 0, safe_text(heading), self.title)
        row = 2
        for label, value in lines:
            ws.write_string(row, 0, safe_text(label), self.label)
            ws.write_string(row, 1, safe_text(value))
            row += 1
        row += 1
        for col, label in enumerate(figure_headers):
            ws.write_string(row, col, label, self.header)
        for figure in figures:
            row += 1
            ws.write_string(row, 0, safe_text(figure.section))
            ws.write_string(row, 1, safe_text(figure.label))
            self.cell(ws, row, 2, figure.value, figure.kind)
        return ws

    def sheet(self, sheet):
        name = sheet_name(sheet.title, self.names)
        ws = self.book.add_worksheet(name)
        for col, spec in enumerate(sheet.columns):
            ws.set_column(col, col, spec.width)
        for col, spec in enumerate(sheet.columns):
            ws.write_string(0, col, safe_text(spec.label), self.header)
        ws.freeze_panes(1, 0)
        count = 0
        for count, values in enumerate(sheet.rows, 1):
            for col, spec in enumerate(sheet.columns):
                self.cell(ws, count, col, values[col], spec.kind)
        ws.autofilter(0, 0, max(count, 1), len(sheet.columns) - 1)
        if count:
            self.charts(ws, name, sheet, count)
        return ws

    def charts(self, ws, name, sheet, count):
        anchor_col = len(sheet.columns) + 1
        for n, spec in enumerate(sheet.charts):
            chart = self.book.add_chart(CHART_OPTIONS.get(spec.kind, {'type': spec.kind}))
            chart.set_title({'name': spec.title})
            for col in spec.values:
                chart.add_series({
                    'name': [name, 0, col],
                    'categories': [name, 1, spec.categories, count, spec.categories],
                    'values': [name, 1, col, count, col],
                    'data_labels': {'percentage': True} if spec.kind == 'pie' else {},
                })
            if spec.kind != 'pie':
                chart.set_x_axis({'num_format': NUMBER_FORMATS.get(
                    sheet.columns[spec.categories].kind, 'General')})
            chart.set_size({'width': 640, 'height': 320})
            ws.insert_chart(1 + n * CHART_ROWS, anchor_col, chart)


def write_workbook(stream, heading, lines, figures, sheets,
                   figure_headers=('Section', 'Figure', 'Value')):
    """Write the summary (``lines`` of (label, value), then ``figures``) and
    one worksheet per ``Sheet`` to ``stream``."""
    writer = _Writer(stream)
    writer.summary(heading, lines, figures, figure_headers)
    for sheet in sheets:
        writer.sheet(sheet)
    writer.book.close()
