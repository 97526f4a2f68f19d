from odoo.tests.common import SavepointCase

from .common import AreaAccessMixin


class TestTieringAccess(AreaAccessMixin, SavepointCase):

    user_group = 'crm_tiering.group_tiering_user'
    manager_group = 'crm_tiering.group_tiering_manager'
    root_menu = 'crm_tiering.menu_tiering_root'
