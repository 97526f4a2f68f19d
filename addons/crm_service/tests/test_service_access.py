from odoo.addons.crm_tiering.tests.common import AreaAccessMixin
from odoo.tests.common import SavepointCase


class TestServiceAccess(AreaAccessMixin, SavepointCase):

    user_group = 'crm_service.group_service_user'
    manager_group = 'crm_service.group_service_manager'
    root_menu = 'crm_service.menu_service_root'
