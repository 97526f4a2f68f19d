from odoo.tests.common import SavepointCase

from .common import AreaAccessMixin


class TestTieringAccess(AreaAccessMixin, SavepointCase):

    user_group = 'crm_tiering.group_tiering_user'
    manager_group = 'crm_tiering.group_tiering_manager'
    root_menu = 'crm_tiering.menu_tiering_root'

    def test_customers_stay_in_their_company(self):
        other = self.env['res.company'].create({'name': 'Tiering other company'})
        shop = self.env['res.partner'].create({
            'name': 'Other company shop', 'customer': True, 'company_id': other.id})
        shared = self.env['res.partner'].create({'name': 'Company-less contact'})
        visible = self.env['res.partner'].sudo(self.area_manager).search(
            [('id', 'in', (shop | shared).ids)])
        self.assertEqual(visible, shared)
