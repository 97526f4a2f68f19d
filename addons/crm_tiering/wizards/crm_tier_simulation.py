from odoo import api, fields, models

from ..lib import grading


class CrmTierSimulation(models.TransientModel):
    """What a recompute of a scheme would change, computed without writing."""

    _name = 'crm.tier.simulation'
    _description = 'Tier Recompute Simulation'

    scheme_id = fields.Many2one('crm.tier.scheme', required=True, readonly=True,
                                ondelete='cascade')
    date = fields.Date(readonly=True)
    line_ids = fields.One2many('crm.tier.simulation.line', 'simulation_id', readonly=True)
    customer_count = fields.Integer(string='Customers Graded', readonly=True)
    up_count = fields.Integer(string='Moving Up', readonly=True)
    down_count = fields.Integer(string='Moving Down', readonly=True)
    top20_revenue_share = fields.Float(
        string='Revenue of the Top 20% (%)', digits=(16, 1), readonly=True,
        help="The 80/20 check: the share of revenue the best fifth of customers bring.")

    @api.model
    def _simulate(self, scheme):
        today = scheme._today()
        results = scheme._evaluate(today)
        rank = {tier.id: tier.rank for tier in scheme.tier_ids}
        revenue = {pid: r['snapshot'].get('revenue', 0.0) for pid, r in results.items()}
        quantity = {pid: r['snapshot'].get('quantity', 0.0) for pid, r in results.items()}
        total_revenue = sum(revenue.values()) or 1.0
        total_quantity = sum(quantity.values()) or 1.0
        lines = {tier.id: {'tier_id': tier.id, 'current_count': 0, 'new_count': 0,
                           'up_count': 0, 'down_count': 0, 'revenue': 0.0, 'quantity': 0.0}
                 for tier in scheme.tier_ids}
        for pid, result in results.items():
            new, current = result['tier'], result['current']
            lines[new]['new_count'] += 1
            lines[new]['revenue'] += revenue[pid]
            lines[new]['quantity'] += quantity[pid]
            if current in lines:
                lines[current]['current_count'] += 1
            if current in rank and rank[new] < rank[current]:
                lines[new]['up_count'] += 1
            elif current in rank and rank[new] > rank[current]:
                lines[new]['down_count'] += 1
        for line in lines.values():
            line['revenue_share'] = line['revenue'] * 100.0 / total_revenue
            line['quantity_share'] = line['quantity'] * 100.0 / total_quantity
        simulation = self.create({
            'scheme_id': scheme.id, 'date': today, 'customer_count': len(results),
            'up_count': sum(line['up_count'] for line in lines.values()),
            'down_count': sum(line['down_count'] for line in lines.values()),
            'top20_revenue_share': grading.top_share(
                [revenue[pid] for pid, r in results.items() if r['population']]),
            'line_ids': [(0, 0, line) for line in lines.values()],
        })
        return {
            'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': simulation.id,
            'view_mode': 'form', 'target': 'new', 'name': scheme.name,
        }
