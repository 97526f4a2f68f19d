"""Drive Odoo's web client in headless Chromium, as one user doing one job.

Run by ``tests/test_browser.py`` with the browser virtualenv's Python (Playwright
needs a greenlet that Odoo's gevent cannot load, so it lives apart)::

    .venv-browser/bin/python tests/browser/driver.py SCENARIO URL DB OUT_DIR ARGS_JSON

It prints one JSON line: ``{"facts": {...}, "console_errors": [...], "error": ...}``
and exits 1 when a step failed. Any JavaScript error on the page is reported too;
the test fails on it. Screenshots go to OUT_DIR.
"""
import json
import re
import shutil
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update']
DESKTOP = {'width': 1366, 'height': 800}
PHONE = {'width': 390, 'height': 844}
TIMEOUT_MS = 60000  # the first page compiles the assets
VIEW = '.o_form_view:visible, .o_list_view:visible, .o_kanban_view:visible'
USER_ERROR = re.compile(
    r'^Server application error (\{.*"exception_type":"(?:user_error|validation_error)"\}\})$',
    re.S)


class Client(object):
    """One logged-in user in one browser page."""

    def __init__(self, browser, url, db, out_dir, viewport, locale, labels):
        self.url = url
        self.labels = labels
        self.db = db
        self.out_dir = Path(out_dir)
        self.context = browser.new_context(viewport=viewport, locale=locale,
                                           accept_downloads=True,
                                           is_mobile=viewport is PHONE,
                                           has_touch=viewport is PHONE)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.console_errors = []
        self.page.on('console', self._on_console)
        self.page.on('pageerror', lambda error: self.console_errors.append(str(error)))
        # Requests in flight, but for the long poll that is always open.
        self.pending = set()
        self.page.on('request', self._on_request)
        self.page.on('requestfinished', lambda request: self.pending.discard(request))
        self.page.on('requestfailed', lambda request: self.pending.discard(request))
        self.facts = {}

    def _on_request(self, request):
        if '/longpolling/' not in request.url:
            self.pending.add(request)

    def _on_console(self, message):
        if message.type != 'error':
            return
        # Odoo logs every refused RPC, shown to the user as a dialog; the test
        # checks those refusals, and fails on any other error.
        refusal = USER_ERROR.match(message.text)
        if refusal:
            self.facts.setdefault('refusals', []).append(
                json.loads(refusal.group(1))['data']['message'])
        else:
            self.console_errors.append(message.text)

    def login(self, login):
        self.page.goto('%s/web/login?db=%s' % (self.url, self.db))
        self.page.fill('input[name=login]', login)
        self.page.fill('input[name=password]', login)
        self.page.click('button[type=submit]')
        self.page.wait_for_selector('.o_web_client')
        self.idle()  # the home action, before a URL opens another

    def open(self, fragment, ready=VIEW):
        """Open a client URL (``model=...&id=...&view_type=form`` or ``action=...``)."""
        self.page.goto('%s/web#%s' % (self.url, fragment))
        self.page.wait_for_selector(ready)
        self.idle()

    def idle(self):
        """Wait until no request has been in flight for a moment."""
        quiet = 0
        for _ in range(TIMEOUT_MS // 100):
            self.page.wait_for_timeout(100)
            quiet = 0 if self.pending else quiet + 1
            if quiet == 3:
                return
        raise TimeoutError('requests still in flight: %s' % [r.url for r in self.pending])

    def button(self, label, within=None):
        """A visible button by its English label, in the user's language (Odoo 11
        renders no button names)."""
        scope = self.page.locator(within) if within else self.page
        button = scope.get_by_role('button', name=self.labels.get(label, label), exact=True).first
        # On a phone the form's header buttons sit in a drop-down menu.
        menu = self.page.locator('.o_statusbar_buttons_dropdown > .dropdown-toggle:visible')
        if not within and not button.is_visible() and menu.count():
            menu.click()
        return button

    def click(self, label, within=None):
        self.button(label, within).click()
        self.idle()

    def expect_state(self, value):
        expect(self.page.locator(
            '.o_statusbar_status button.btn-primary[data-value="%s"]' % value)).to_be_visible()

    def show_field(self, name):
        """Open the notebook page that holds the field."""
        pane = self.page.locator('.o_notebook .tab-pane:has([name="%s"])' % name).first
        self.page.click('.o_notebook a[href="#%s"]' % pane.get_attribute('id'))

    def field_text(self, name):
        return self.page.locator('.o_form_view [name="%s"]' % name).first.inner_text().strip()

    def dialog_text(self):
        dialog = self.page.locator('.modal-dialog:visible').last
        dialog.wait_for()
        return dialog.inner_text()

    def shot(self, name):
        path = self.out_dir / ('%s.png' % name)
        self.page.screenshot(path=str(path))
        self.facts.setdefault('screenshots', []).append(str(path))

    def fits_the_screen(self):
        """No horizontal scrolling: nothing is wider than the viewport."""
        return self.page.evaluate(
            'document.scrollingElement.scrollWidth <= window.innerWidth + 1')

    def height(self, label, within=None):
        return self.button(label, within).bounding_box()['height']


# -- scenarios: one user's job each; ARGS come from the test, which set the data up --

def recompute_and_see_policy(client, args):
    """The sales manager recomputes the primary scheme and reads a shop's policy."""
    client.login('sales_manager')
    client.open('model=crm.tier.scheme&id=%d&view_type=form' % args['scheme_id'])
    client.click('Recompute')
    client.page.click('.modal-dialog .modal-footer .btn-primary')  # "Grade everyone now?"
    client.idle()
    client.open('model=res.partner&id=%d&view_type=form' % args['partner_id'])
    client.show_field('tier_policy_id')
    client.facts['policy'] = client.field_text('tier_policy_id')
    client.shot('customer-tier')


def plan_visits(client, args):
    """The sales manager plans a route's visits from the route form."""
    client.login('sales_manager')
    client.open('model=crm.visit.route&id=%d&view_type=form' % args['route_id'])
    client.click('Plan Visits')
    client.click('Plan Visits', within='.modal-dialog')
    client.page.wait_for_selector('.o_list_view, .o_kanban_view, .o_calendar_view')
    client.shot('visits-planned')


def visit_and_take_order(client, args):
    """An account manager on a phone: check in, take an order, confirm it, check out,
    then confirm an order beyond the quota and read the refusal."""
    client.login(args['login'])
    client.open('model=crm.visit&id=%d&view_type=form' % args['visit_id'])
    client.facts['check_in_height'] = client.height('Check In')
    client.facts['form_menu'] = client.page.locator(
        '.o_statusbar_buttons_dropdown > .dropdown-toggle').first.inner_text().strip()
    client.click('Check In')
    client.expect_state('in_progress')
    client.facts['fits_checked_in'] = client.fits_the_screen()
    client.shot('visit-checked-in')
    client.click('Take Order')
    lines = '.o_field_one2many[name=order_line]'
    client.page.wait_for_selector(lines)
    # A list on a desktop, cards on a phone.
    client.facts['order_lines'] = client.page.locator(
        '%s .o_data_row, %s .o_kanban_record:not(.o_kanban_ghost)' % (lines, lines)).count()
    client.facts['fits_order'] = client.fits_the_screen()
    client.shot('take-order')
    client.click('Confirm Sale')
    client.expect_state('sale')
    client.page.go_back()
    client.idle()
    client.click('Check Out')
    client.expect_state('done')
    client.open('model=sale.order&id=%d&view_type=form' % args['over_quota_order_id'])
    client.click('Confirm Sale')
    client.facts['refusal'] = client.dialog_text()
    client.facts['fits_refusal'] = client.fits_the_screen()
    client.shot('quota-refused')


def plan_deliveries(client, args):
    """The sales manager plans tomorrow's delivery batches of every route."""
    client.login('sales_manager')
    client.open('action=%s' % args['plan_action'], ready='.modal-dialog')
    client.click('Plan', within='.modal-dialog')
    client.page.wait_for_selector('.o_list_view, .o_kanban_view')
    client.shot('batches-planned')


def deliver_stop(client, args):
    """Delivery staff on a phone: open the batch, deliver one stop in one tap."""
    client.login('delivery')
    client.open('action=%s&model=stock.picking.batch&id=%d&view_type=form' % (
        args['action'], args['batch_id']))
    stop = '.o_kanban_record:has-text("%s")' % args['picking']
    client.facts['fits_batch'] = client.fits_the_screen()
    client.facts['deliver_height'] = client.height('Delivered', within=stop)
    client.shot('batch')
    client.click('Delivered', within=stop)
    client.shot('batch-delivered')


def open_complaint(client, args):
    """The service desk records a customer's complaint and reads its SLA deadlines."""
    client.login('service_desk')
    client.open('action=%s' % args['action'])
    page = client.page
    page.click('.o_cp_buttons .btn-primary:visible')  # Create
    page.wait_for_selector('.o_form_editable')
    page.fill('.o_field_widget[name=name]', args['subject'])
    _choose(client, '.o_field_widget[name=partner_id] input', args['partner_name'])
    page.select_option('select[name=request_type]', '"complaint"')  # values are JSON
    client.idle()
    page.click('.o_form_button_save')
    client.page.wait_for_selector('.o_form_readonly')
    client.idle()
    client.facts['response_deadline'] = client.field_text('date_response_deadline')
    client.facts['resolution_deadline'] = client.field_text('date_resolution_deadline')
    client.shot('complaint-sla')


def complaint_on_a_visit(client, args):
    """An account manager on a phone records the shop's complaint from the visit."""
    client.login(args['login'])
    client.open('model=crm.visit&id=%d&view_type=form' % args['visit_id'])
    client.click('Open Request')
    page = client.page
    page.wait_for_selector('.o_form_editable')
    page.fill('.o_field_widget[name=name]', args['subject'])
    client.facts['fits_request'] = client.fits_the_screen()
    page.click('.o_form_button_save')
    page.wait_for_selector('.o_form_readonly')
    client.idle()
    client.facts['response_deadline'] = client.field_text('date_response_deadline')
    client.shot('complaint-from-visit')


def set_compliance_class(client, args):
    """The compliance officer classes a shop C on its Tier tab."""
    client.login('compliance')
    client.open('model=res.partner&id=%d&view_type=form' % args['partner_id'])
    page = client.page
    page.click('.o_form_button_edit')
    page.wait_for_selector('.o_form_editable')
    client.show_field('compliance_class')
    page.select_option('select[name=compliance_class]:visible', '"%s"' % args['compliance'])
    page.click('.o_form_button_save')
    page.wait_for_selector('.o_form_readonly')
    client.idle()
    client.shot('compliance-class')


def take_a_phone_order(client, args):
    """The order desk types in a shop's order taken by phone and confirms it."""
    client.login('order_desk')
    client.open('action=%s' % args['action'])
    page = client.page
    page.click('.o_cp_buttons .btn-primary:visible')  # Create
    page.wait_for_selector('.o_form_editable')
    _choose(client, '.o_field_widget[name=partner_id] input', args['partner_name'])
    page.click('.o_field_x2many_list_row_add a')  # Add an item
    _choose(client, '.o_data_row .o_field_widget[name=product_id] input', args['product_name'])
    quantity = page.locator('.o_data_row input[name=product_uom_qty]')
    quantity.fill(str(args['quantity']))
    quantity.press('Tab')
    client.idle()
    page.click('.o_form_button_save')
    page.wait_for_selector('.o_form_readonly')
    client.idle()
    client.click('Confirm Sale')
    client.expect_state('sale')
    client.facts['order'] = page.locator('.o_form_view .oe_title').inner_text().strip()
    client.shot('phone-order')


def _choose(client, selector, text):
    """Type into a many2one and pick the suggestion."""
    client.page.fill(selector, text)
    client.page.locator('.ui-autocomplete:visible li a', has_text=text).first.click()
    client.idle()


def read_invoices(client, args):
    """Finance opens the customer invoices."""
    client.login('finance')
    client.open('action=%s' % args['action'])
    client.facts['rows'] = client.page.locator('.o_list_view tr.o_data_row').count()
    client.shot('invoices')


def at_risk_list(client, args):
    """An account manager opens the customers at risk, riskiest first."""
    client.login(args['login'])
    client.open('action=%s' % args['action'])
    rows = client.page.locator('.o_list_view tr.o_data_row')
    client.facts['rows'] = rows.count()
    client.facts['first_row'] = rows.first.inner_text() if client.facts['rows'] else ''
    client.shot('at-risk')


def export_workbook(client, args):
    """The KPI viewer exports the workbook and downloads the file."""
    client.login('kpi_viewer')
    client.open('action=%s' % args['action'], ready='.modal-dialog')
    client.click('Export', within='.modal-dialog')
    link = client.page.locator('.modal-dialog a:has-text(".xlsx")')
    with client.page.expect_download() as info:
        link.click()
    path = client.out_dir / 'workbook.xlsx'
    info.value.save_as(str(path))
    client.facts['workbook'] = str(path)
    client.shot('workbook-exported')


def read_hostile_names(client, args):
    """The sales manager opens the pages that show names and notes holding HTML and
    script: each must show them as text and run none of it."""
    dialogs = []
    client.page.on('dialog', lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    client.login('sales_manager')
    client.facts['pages'] = []
    for fragment in args['pages']:
        client.open(fragment)
        client.facts['pages'].append({
            'page': fragment,
            'ran': client.page.evaluate('window.__injected === true'),
            'shown': client.page.locator('body').inner_text().count(args['marker']),
        })
    client.facts['dialogs'] = dialogs
    client.shot('hostile-names')


SCENARIOS = {f.__name__: f for f in [
    recompute_and_see_policy, plan_visits, visit_and_take_order, plan_deliveries,
    deliver_stop, open_complaint, complaint_on_a_visit, set_compliance_class,
    take_a_phone_order, read_invoices, at_risk_list, export_workbook, read_hostile_names]}
PHONE_SCENARIOS = {'visit_and_take_order', 'deliver_stop', 'complaint_on_a_visit',
                   'at_risk_list'}


def main(scenario, url, db, out_dir, args_json):
    args = json.loads(args_json)
    shutil.rmtree(out_dir, ignore_errors=True)
    Path(out_dir).mkdir(parents=True)
    result = {'facts': {}, 'console_errors': [], 'error': None}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        viewport = PHONE if scenario in PHONE_SCENARIOS else DESKTOP
        client = Client(browser, url, db, out_dir, viewport, args.get('locale', 'en-US'),
                        args.get('labels', {}))
        try:
            SCENARIOS[scenario](client, args)
        except Exception as error:  # reported to the test with a screenshot
            result['error'] = '%s: %s' % (type(error).__name__, error)
            try:
                client.shot('failed-' + scenario)
            except Exception:  # the page itself may be gone
                pass
        result['facts'] = client.facts
        result['console_errors'] = client.console_errors
        browser.close()
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result['error'] else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
