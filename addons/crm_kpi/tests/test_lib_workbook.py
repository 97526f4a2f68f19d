import io
import unittest
import zipfile

import openpyxl

from ..lib.workbook import Chart, Figure, Sheet, column, safe_text, sheet_name, write_workbook


def build(sheets, figures=()):
    stream = io.BytesIO()
    write_workbook(stream, 'KPI', [('Company', 'Hualian')], list(figures), sheets)
    return stream.getvalue()


class TestSafeText(unittest.TestCase):

    def test_formula_starts_are_quoted(self):
        for text in ('=1+1', '+1', '-1', '@SUM(A1)', '\tx', '=HYPERLINK("http://x","y")'):
            self.assertTrue(safe_text(text).startswith("'"), text)

    def test_plain_text_is_kept(self):
        for text in ('华联超市', 'Shop 1', "O'Brien", '1-2'):
            self.assertEqual(safe_text(text), text)

    def test_nul_and_control_characters_are_dropped(self):
        self.assertEqual(safe_text('\0=1'), "'=1")
        self.assertEqual(safe_text('a\x01b\nc'), 'ab\nc')


class TestSheetName(unittest.TestCase):

    def test_illegal_characters_length_and_duplicates(self):
        taken = set()
        self.assertEqual(sheet_name('Sales/Tier: [A]?', taken), 'Sales Tier   A')
        long_name = 'x' * 40
        self.assertEqual(sheet_name(long_name, taken), 'x' * 31)
        self.assertEqual(sheet_name(long_name, taken), 'x' * 27 + ' (2)')


class TestWriteWorkbook(unittest.TestCase):

    def setUp(self):
        super().setUp()
        self.sheet = Sheet('按月销售', [column('Month', 'date'), column('Customer'),
                                    column('Revenue', 'money'), column('Share', 'percent'),
                                    column('Orders', 'int')],
                           [('2026-10-01', '华联超市', 1200.5, 0.25, 3),
                            ('2026-11-01', '=HYPERLINK("http://x","y")', 800.0, 0.75, 2)],
                           [Chart('line', 'Revenue', 0, [2]), Chart('pie', 'Share', 1, [3])])

    def test_sheets_headers_values_and_formats(self):
        book = openpyxl.load_workbook(io.BytesIO(build(
            [self.sheet], [Figure('Sales', 'Revenue', 2000.5, 'money')])))
        self.assertEqual(book.sheetnames, ['KPI', '按月销售'])
        summary = book['KPI']
        self.assertEqual(summary['A3'].value, 'Company')
        self.assertEqual(summary['B3'].value, 'Hualian')
        self.assertEqual(summary['C6'].value, 2000.5)
        ws = book['按月销售']
        self.assertEqual([c.value for c in ws[1]], ['Month', 'Customer', 'Revenue', 'Share',
                                                    'Orders'])
        self.assertEqual(ws['A2'].value.date().isoformat(), '2026-10-01')
        self.assertEqual(ws['A2'].number_format, 'yyyy-mm-dd')
        self.assertEqual(ws['B2'].value, '华联超市')
        self.assertEqual(ws['C2'].value, 1200.5)
        self.assertEqual(ws['C2'].number_format, '#,##0.00')
        self.assertEqual(ws['D3'].number_format, '0.0%')
        self.assertTrue(ws['A1'].font.b)
        self.assertEqual(ws.freeze_panes, 'A2')
        self.assertEqual(ws.auto_filter.ref, 'A1:E3')
        self.assertGreater(ws.column_dimensions['B'].width, 20)

    def test_injected_formula_stays_text(self):
        ws = openpyxl.load_workbook(io.BytesIO(build([self.sheet])))['按月销售']
        self.assertEqual(ws['B3'].data_type, 's')
        self.assertEqual(ws['B3'].value, '\'=HYPERLINK("http://x","y")')

    def test_charts_are_native_chart_parts(self):
        with zipfile.ZipFile(io.BytesIO(build([self.sheet]))) as archive:
            charts = [name for name in archive.namelist() if name.startswith('xl/charts/')]
            self.assertEqual(len(charts), 2)
            xml = archive.read(sorted(charts)[0]).decode()
        self.assertIn('<c:lineChart>', xml)
        self.assertIn('按月销售!$C$2:$C$3', xml)

    def test_empty_sheet_is_valid_with_headers_only(self):
        empty = self.sheet._replace(rows=[])
        data = build([empty])
        ws = openpyxl.load_workbook(io.BytesIO(data))['按月销售']
        self.assertEqual(ws.max_row, 1)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            self.assertFalse([n for n in archive.namelist() if n.startswith('xl/charts/')])
