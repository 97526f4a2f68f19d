from odoo.addons.crm_tiering.tests.common import AreaAccessMixin
from odoo.tests.common import SavepointCase


class TestLifecycleAccess(AreaAccessMixin, SavepointCase):

    user_group = 'crm_lifecycle.group_lifecycle_user'
    manager_group = 'crm_lifecycle.group_lifecycle_manager'
    root_menu = 'crm_lifecycle.menu_lifecycle_root'
