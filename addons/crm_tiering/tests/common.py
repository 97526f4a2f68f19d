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
