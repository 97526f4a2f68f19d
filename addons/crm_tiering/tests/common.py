import datetime

from odoo import fields


def new_user(env, login, *groups, company=None):
    """A user of ``company`` (default: the current user's) in ``groups`` (xmlids),
    working in English so that tests can match messages."""
    company = company or env.user.company_id
    return env['res.users'].with_context(no_reset_password=True).create({
        'name': login, 'login': login, 'email': login + '@example.com', 'lang': 'en_US',
        'company_id': company.id, 'company_ids': [(6, 0, [company.id])],
        'groups_id': [(6, 0, [env.ref(group).id for group in groups])]})


class AreaAccessMixin(object):
    """Groups and menu of one functional area.

    Mixed into a SavepointCase that sets the three xmlids; a mixin, so that the
    test loader does not collect it on its own.
    """

    user_group = None
    manager_group = None
    root_menu = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = cls.env['res.users'].with_context(no_reset_password=True)

        def make_user(login, groups):
            return users.create({
                'name': login,
                'login': login,
                'groups_id': [(6, 0, [cls.env.ref(g).id for g in groups])],
            })
        cls.employee = make_user('area_employee', ['base.group_user'])
        cls.area_user = make_user('area_user', [cls.user_group])
        cls.area_manager = make_user('area_manager', [cls.manager_group])

    def _sees_menu(self, user):
        menu = self.env.ref(self.root_menu)
        return bool(self.env['ir.ui.menu'].sudo(user).search([('id', '=', menu.id)]))

    def test_manager_implies_user(self):
        self.assertTrue(self.area_manager.has_group(self.user_group))
        self.assertFalse(self.area_user.has_group(self.manager_group))

    def test_area_user_can_open_sales(self):
        self.assertTrue(self.area_user.has_group('sales_team.group_sale_salesman'))

    def test_menu_only_for_area_users(self):
        self.assertTrue(self._sees_menu(self.area_user))
        self.assertTrue(self._sees_menu(self.area_manager))
        self.assertFalse(self._sees_menu(self.employee))


class SalesDataMixin(object):
    """Invoices, payments and orders dated relative to ``cls.today``.

    Needs ``cls.today`` (a date) and ``cls.income`` (an income account) set up.
    """

    @classmethod
    def days_ago(cls, days):
        return fields.Date.to_string(cls.today - datetime.timedelta(days=days))

    @classmethod
    def invoice(cls, partner, days, lines, kind='out_invoice'):
        invoice = cls.env['account.invoice'].create({
            'partner_id': partner.id, 'type': kind, 'date_invoice': cls.days_ago(days),
            'invoice_line_ids': [(0, 0, {
                'product_id': product.id, 'name': product.name, 'quantity': qty,
                'price_unit': product.list_price, 'account_id': cls.income.id,
            }) for product, qty in lines],
        })
        invoice.action_invoice_open()
        return invoice

    @classmethod
    def pay(cls, invoice, days):
        payment = cls.env['account.payment'].create({
            'payment_type': 'inbound', 'partner_type': 'customer',
            'partner_id': invoice.partner_id.id, 'amount': invoice.amount_total,
            'journal_id': cls.env['account.journal'].search([('type', '=', 'bank')], limit=1).id,
            'payment_method_id': cls.env.ref('account.account_payment_method_manual_in').id,
            'payment_date': cls.days_ago(days), 'invoice_ids': [(4, invoice.id)],
        })
        payment.post()

    @classmethod
    def order(cls, partner, days, products):
        order = cls.env['sale.order'].create({
            'partner_id': partner.id,
            'date_order': cls.days_ago(days) + ' 02:00:00',
            'order_line': [(0, 0, {'product_id': p.id, 'product_uom_qty': 1}) for p in products],
        })
        order.action_confirm()
        return order
