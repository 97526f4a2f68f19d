from odoo.addons.crm_tiering.tests.common import AreaAccessMixin
from odoo.tests.common import SavepointCase


class TestKpiAccess(AreaAccessMixin, SavepointCase):

    user_group = 'crm_kpi.group_kpi_user'
    manager_group = 'crm_kpi.group_kpi_manager'
    root_menu = 'crm_kpi.menu_kpi_root'
