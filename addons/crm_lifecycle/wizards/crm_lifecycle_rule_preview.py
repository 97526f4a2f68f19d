from odoo import api, fields, models

from ..models.crm_lifecycle_engine import BATCH_SIZE


class CrmLifecycleRulePreview(models.TransientModel):
    """The customers a rule would move now, computed like the engine (current
    metrics, all rules by priority), without moving anyone."""

    _name = 'crm.lifecycle.rule.preview'
    _description = 'Lifecycle Rule Preview'

    rule_id = fields.Many2one('crm.lifecycle.rule', required=True, ondelete='cascade')
    line_ids = fields.One2many('crm.lifecycle.rule.preview.line', 'preview_id',
                               string='Customers', readonly=True)
    count = fields.Integer(string='Customers Moving', readonly=True)

    @api.multi
    def _fill(self):
        self.ensure_one()
        company = self.env.user.company_id
        Engine = self.env['crm.lifecycle.engine']
        rules = self.env['crm.lifecycle.rule']._rules_for(company)
        if self.rule_id not in rules:
            rules = (rules | self.rule_id).sorted(lambda r: (r.sequence, r.id))
        today = self.env['res.partner']._lifecycle_today(company)
        self.env.cr.execute("""
            SELECT id FROM res_partner
             WHERE lifecycle_stage_id IS NOT NULL AND active AND customer
               AND id = commercial_partner_id AND (company_id IS NULL OR company_id = %s)
             ORDER BY id""", [company.id])
        ids = [row[0] for row in self.env.cr.fetchall()]
        lines = []
        for start in range(0, len(ids), BATCH_SIZE):
            matches, facts = Engine._match(rules, ids[start:start + BATCH_SIZE], today)
            lines += [(0, 0, {'partner_id': pid, 'stage_id': facts[pid]['stage_id'],
                              'days_in_stage': facts[pid]['days_in_stage'],
                              'churn_risk': facts[pid]['churn_risk']})
                      for pid, rule in sorted(matches.items()) if rule == self.rule_id]
        self.write({'line_ids': lines, 'count': len(lines)})
