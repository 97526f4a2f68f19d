from odoo import fields, models


class CrmTierSimulationLine(models.TransientModel):
    _name = 'crm.tier.simulation.line'
    _description = 'Tier Recompute Simulation per Tier'
    _order = 'tier_rank'

    simulation_id = fields.Many2one('crm.tier.simulation', required=True, ondelete='cascade')
    tier_id = fields.Many2one('crm.tier', readonly=True)
    tier_rank = fields.Integer(related='tier_id.rank', store=True, readonly=True)
    current_count = fields.Integer(string='Customers Now', readonly=True)
    new_count = fields.Integer(string='Customers After', readonly=True)
    up_count = fields.Integer(string='Moving Up In', readonly=True)
    down_count = fields.Integer(string='Moving Down In', readonly=True)
    revenue = fields.Float(digits=(16, 2), readonly=True)
    revenue_share = fields.Float(string='Revenue (%)', digits=(16, 1), readonly=True)
    quantity = fields.Float(string='Supply', digits=(16, 2), readonly=True)
    quantity_share = fields.Float(string='Supply (%)', digits=(16, 1), readonly=True)
