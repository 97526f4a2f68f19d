from odoo.addons.crm_tiering.tests.common import AreaAccessMixin
from odoo.exceptions import AccessError
from odoo.tests.common import SavepointCase


class TestKpiAccess(AreaAccessMixin, SavepointCase):

    user_group = 'crm_kpi.group_kpi_user'
    manager_group = 'crm_kpi.group_kpi_manager'
    root_menu = 'crm_kpi.menu_kpi_root'

    def test_area_user_can_open_sales(self):
        """A KPI viewer reads reports but is no salesperson: customers stay read-only."""
        self.assertFalse(self.area_user.has_group('sales_team.group_sale_salesman'))
        partner = self.env['res.partner'].create({'name': 'KPI Access Shop'})
        self.assertEqual(partner.sudo(self.area_user).name, 'KPI Access Shop')
        with self.assertRaises(AccessError):
            partner.sudo(self.area_user).write({'name': 'Renamed'})
        with self.assertRaises(AccessError):
            self.env['res.partner'].sudo(self.area_user).create({'name': 'New Shop'})
