"""Tests of crm_tiering.lib.pg and of the storage settings, on the real PostgreSQL."""
from odoo.tests.common import TransactionCase

from odoo.addons.crm_tiering.lib.pg import hash_joins, jit_off


class TestJitOff(TransactionCase):

    def jit(self):
        self.env.cr.execute('SHOW jit')
        return self.env.cr.fetchone()[0]

    def test_value_metrics_run_without_jit(self):
        self.env.cr.execute('SET LOCAL jit = on')
        self.env['res.partner']._compute_value_metrics(self.env.user.company_id)
        self.assertEqual(self.jit(), 'off')

    def test_off_for_the_transaction_only(self):
        self.env.cr.execute('SET LOCAL jit = on')
        self.env.cr.execute('SAVEPOINT jit_test')
        jit_off(self.env.cr)
        self.assertEqual(self.jit(), 'off')
        self.env.cr.execute('ROLLBACK TO SAVEPOINT jit_test')
        self.assertEqual(self.jit(), 'on')


class TestHashJoins(TransactionCase):

    def nestloop(self):
        self.env.cr.execute('SHOW enable_nestloop')
        return self.env.cr.fetchone()[0]

    def test_off_inside_only(self):
        with hash_joins(self.env.cr):
            self.assertEqual(self.nestloop(), 'off')
        self.assertEqual(self.nestloop(), 'on')

    def test_off_inside_a_return(self):
        def read():
            with hash_joins(self.env.cr):
                return self.nestloop()
        self.assertEqual(read(), 'off')
        self.assertEqual(self.nestloop(), 'on')


class TestStorage(TransactionCase):

    def test_members_leave_room_for_updates_in_place(self):
        self.env.cr.execute("SELECT reloptions FROM pg_class WHERE relname = 'crm_tier_member'")
        self.assertIn('fillfactor=50', self.env.cr.fetchone()[0] or [])

    def test_move_lines_are_indexed_by_move(self):
        self.env.cr.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'stock_move_line'")
        self.assertTrue(any('(move_id)' in row[0] for row in self.env.cr.fetchall()))
