import json
import logging
import threading

from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import bulk, cuts, grading, scoring

_logger = logging.getLogger(__name__)

METRICS = [
    ('revenue', 'Revenue'),
    ('margin', 'Gross margin'),
    ('quantity', 'Quantity'),
    ('lifetime_profit', 'Lifetime profit'),
    ('order_count', 'Orders'),
    ('value_score', 'Value score'),
]
# Positions in the rows of res.partner._read_value_metrics.
METRIC_COLUMNS = {'revenue': 1, 'margin': 2, 'quantity': 3, 'lifetime_profit': 4,
                  'order_count': 5}
SCOPE_QUERY = """
SELECT p.id, coalesce(p.shop_size, ''), coalesce(p.manager_score, 0),
       coalesce(array_agg(rel.category_id) FILTER (WHERE rel.category_id IS NOT NULL), '{}')
  FROM res_partner p
  LEFT JOIN res_partner_res_partner_category_rel rel ON rel.partner_id = p.id
 WHERE (p.active AND p.customer AND p.parent_id IS NULL
        AND (p.company_id = %(company)s OR p.company_id IS NULL))
    OR p.id = ANY(%(with_history)s)
 GROUP BY p.id
"""
MEMBERS_QUERY = """
SELECT m.partner_id, CASE WHEN m.basis = 'override' THEN m.computed_tier_id ELSE m.tier_id END,
       m.below_count, m.evaluated_on, m.start_tier_id, m.start_below_count, a.id,
       a.approval_state, a.expiry_date, a.tier_id, m.tier_id
  FROM crm_tier_member m
  LEFT JOIN crm_tier_assignment a ON a.id = m.override_id
 WHERE m.scheme_id = %s
"""
# The members of one evaluation, copied into a temporary table (lib.bulk).
MEMBER_ROWS = 'crm_tier_member_rows'
MEMBER_ROW_COLUMNS = """
    partner_id int, tier_id int, tier_rank int, computed_tier_id int, basis varchar,
    value numeric, blended_value numeric, unit_value numeric, share_before numeric,
    position int, population int, bound numeric, below_count int, start_tier_id int,
    start_below_count int, override_id int, initial_rule_id int"""
UPSERT_MEMBERS = """
INSERT INTO crm_tier_member (
    partner_id, scheme_id, company_id, tier_id, tier_rank, computed_tier_id, basis, value,
    blended_value, unit_value, share_before, position, population, bound, below_count,
    evaluated_on, start_tier_id, start_below_count, override_id, initial_rule_id,
    create_uid, create_date, write_uid, write_date)
SELECT partner_id, %(scheme)s, %(company)s, tier_id, tier_rank, computed_tier_id, basis,
       value, blended_value, unit_value, share_before, position, population, bound,
       below_count, %(today)s, start_tier_id, start_below_count, override_id,
       initial_rule_id, %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM crm_tier_member_rows
ON CONFLICT (partner_id, scheme_id) DO UPDATE SET
    tier_id = EXCLUDED.tier_id, tier_rank = EXCLUDED.tier_rank,
    computed_tier_id = EXCLUDED.computed_tier_id, basis = EXCLUDED.basis,
    value = EXCLUDED.value, blended_value = EXCLUDED.blended_value,
    unit_value = EXCLUDED.unit_value, share_before = EXCLUDED.share_before,
    position = EXCLUDED.position, population = EXCLUDED.population, bound = EXCLUDED.bound,
    below_count = EXCLUDED.below_count, evaluated_on = EXCLUDED.evaluated_on,
    start_tier_id = EXCLUDED.start_tier_id, start_below_count = EXCLUDED.start_below_count,
    override_id = EXCLUDED.override_id, initial_rule_id = EXCLUDED.initial_rule_id,
    write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
"""
# Members no longer graded: customers gone from the scheme's scope.
DELETE_MEMBERS = """
DELETE FROM crm_tier_member m
 WHERE m.scheme_id = %s
   AND NOT EXISTS (SELECT 1 FROM crm_tier_member_rows r WHERE r.partner_id = m.partner_id)
"""
SET_MEMBER_TIER = """
INSERT INTO crm_tier_member (
    partner_id, scheme_id, company_id, tier_id, tier_rank, basis, override_id, evaluated_on,
    below_count, start_below_count, create_uid, create_date, write_uid, write_date)
VALUES (%(partner)s, %(scheme)s, %(company)s, %(tier)s, %(rank)s, %(basis)s, %(override)s,
        %(today)s, 0, 0, %(uid)s, %(now)s, %(uid)s, %(now)s)
ON CONFLICT (partner_id, scheme_id) DO UPDATE SET
    tier_id = EXCLUDED.tier_id, tier_rank = EXCLUDED.tier_rank, basis = EXCLUDED.basis,
    override_id = EXCLUDED.override_id, write_uid = EXCLUDED.write_uid,
    write_date = EXCLUDED.write_date
"""
# Set while a scheme writes its own tiers and bands (the lists of its form): it
# checks them together once all are written (_check_tiers), not one by one
# half-way. An object, so that no RPC caller can set it.
EDITING_TIERS_KEY = 'crm_tier_scheme_editing'
EDITING_TIERS = object()
INSERT_HISTORY = """
INSERT INTO crm_tier_assignment (
    partner_id, company_id, kind, scheme_id, previous_tier_id, tier_id, date, source, basis,
    metrics_snapshot, user_id, create_uid, create_date, write_uid, write_date)
VALUES %s
"""


class CrmTierScheme(models.Model):
    """A way to grade the customers of a company into tiers."""

    _name = 'crm.tier.scheme'
    _inherit = ['crm.input.check', 'mail.thread']
    _description = 'Tier Scheme'
    _order = 'company_id, sequence, id'

    name = fields.Char(required=True, translate=True, track_visibility='onchange')
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, track_visibility='onchange')
    company_id = fields.Many2one(
        'res.company', required=True,
        default=lambda self: self.env['res.company']._company_default_get('crm.tier.scheme'))
    is_primary = fields.Boolean(
        string='Primary', track_visibility='onchange', copy=False,
        help="The primary scheme of the company sets each customer's tier, and with it the "
             "service policy applied to orders, visits and service requests.")
    method = fields.Selection(
        [('pareto', 'Pareto (ABC by cumulative share)'),
         ('quantile', 'Quantile (pyramid by percentile)'),
         ('threshold', 'Threshold (value bands)'),
         ('grid', 'Grid (volume × value per unit)')],
        required=True, default='pareto', track_visibility='onchange')
    metric = fields.Selection(
        METRICS, required=True, default='revenue', track_visibility='onchange',
        help="What the customers are ranked on. A grid ranks volume (quantity) against this "
             "metric per unit. Negative values count as 0 in a Pareto cut.")
    window_days = fields.Integer(
        string='Window (days)', required=True, default=365, track_visibility='onchange',
        help="Invoices and orders of this many days back from today count; excluded "
             "periods are left out. Lifetime profit ignores the window.")
    manager_weight = fields.Float(
        string='Manager Score Weight', default=0.0, track_visibility='onchange',
        help="0 to 1. How much the account manager's 0-100 score counts: a score of s "
             "weighs as the value of the customer at the s-th percentile.")
    hysteresis_runs = fields.Integer(
        string='Evaluations Before Downgrade', default=1, required=True,
        help="A customer moves down only after this many consecutive evaluations below "
             "the tier. 1 moves down at once.")
    hysteresis_margin = fields.Float(
        string='Immediate Downgrade Margin', default=0.0,
        help="0 to 1. A customer whose value falls this far below the tier's lower bound "
             "(e.g. 0.2 = 20% below) moves down at once, whatever the count. 0 disables it.")
    tier_ids = fields.One2many('crm.tier', 'scheme_id', string='Tiers', copy=True)
    band_ids = fields.One2many('crm.tier.band', 'scheme_id', string='Grid Bands', copy=True)
    initial_rule_ids = fields.One2many('crm.tier.initial.rule', 'scheme_id',
                                       string='Initial Tier Rules', copy=False)
    default_tier_id = fields.Many2one(
        'crm.tier', string='Default Tier', domain="[('scheme_id', '=', id)]", copy=False,
        help="The tier of a customer without history whom no initial rule matches. "
             "Leave empty to leave such customers ungraded.")
    last_run = fields.Datetime(string='Last Recompute', readonly=True, copy=False)
    last_run_date = fields.Date(
        string='Last Evaluation Day', readonly=True, copy=False,
        help="The company's business day of the last recompute; the nightly job skips a "
             "scheme already evaluated that day.")
    member_count = fields.Integer(string='Customers', compute='_compute_member_count')

    @api.multi
    def _compute_member_count(self):
        groups = self.env['crm.tier.member'].read_group(
            [('scheme_id', 'in', self.ids)], ['scheme_id'], ['scheme_id'])
        counts = {group['scheme_id'][0]: group['scheme_id_count'] for group in groups}
        for scheme in self:
            scheme.member_count = counts.get(scheme.id, 0)

    # -- validation --------------------------------------------------------

    @api.constrains('window_days', 'manager_weight', 'hysteresis_runs', 'hysteresis_margin')
    def _check_parameters(self):
        for scheme in self:
            if scheme.window_days <= 0:
                raise ValidationError(_("The window of scheme %s must be at least one day.")
                                      % scheme.name)
            if not 0 <= scheme.manager_weight <= 1:
                raise ValidationError(_("The manager score weight of scheme %s must be "
                                        "between 0 and 1.") % scheme.name)
            if scheme.hysteresis_runs < 1:
                raise ValidationError(_("Scheme %s: a downgrade needs at least one "
                                        "evaluation.") % scheme.name)
            if not 0 <= scheme.hysteresis_margin < 1:
                raise ValidationError(_("The downgrade margin of scheme %s must be at least "
                                        "0 and below 1.") % scheme.name)

    @api.constrains('method', 'metric', 'tier_ids', 'band_ids', 'default_tier_id')
    def _check_tiers(self):
        for scheme in self:
            scheme._check_tier_configuration(require_tiers=False)
            if scheme.default_tier_id and scheme.default_tier_id.scheme_id != scheme:
                raise ValidationError(_("The default tier of scheme %s must be one of its "
                                        "tiers.") % scheme.name)

    def _check_tier_configuration(self, require_tiers=True):
        tiers = self.tier_ids
        if require_tiers and not tiers:
            raise ValidationError(_("Scheme %s has no tiers yet.") % self.name)
        if self.method in ('pareto', 'quantile') and tiers:
            shares = tiers.mapped('share')
            if any(share <= 0 for share in shares) or abs(sum(shares) - 100) > 0.01:
                raise ValidationError(
                    _("The tier shares of scheme %(scheme)s must be positive and sum to "
                      "100%% (now %(shares)s).") % {
                          'scheme': self.name, 'shares': ' + '.join('%g' % s for s in shares)})
        if self.method == 'threshold':
            bounds = tiers.sorted('rank').mapped('lower_bound')
            if any(better <= worse for better, worse in zip(bounds, bounds[1:])):
                raise ValidationError(
                    _("The tier bounds of scheme %s overlap or are out of order: each tier "
                      "needs a higher lower bound than the tier ranked below it.")
                    % self.name)
        if self.method == 'grid':
            self._check_grid()

    def _check_tiers_edited_alone(self):
        """After a tier or band of these schemes is created, written or deleted on
        its own: the scheme must still hold together."""
        if self.env.context.get(EDITING_TIERS_KEY) is EDITING_TIERS:
            return
        for scheme in self.exists():
            scheme._check_tier_configuration(require_tiers=False)

    def _editing_tiers(self):
        return self.with_context(**{EDITING_TIERS_KEY: EDITING_TIERS})

    def _check_grid(self):
        volume = self.band_ids.filtered(lambda band: band.axis == 'volume')
        unit = self.band_ids.filtered(lambda band: band.axis == 'unit')
        if not volume or not unit:
            raise ValidationError(_("The grid of scheme %s needs at least one volume band "
                                    "and one value band.") % self.name)
        if self.metric not in ('revenue', 'margin'):
            raise ValidationError(_("A grid ranks revenue or margin per unit; choose one of "
                                    "them as the metric of scheme %s.") % self.name)
        cells = [(tier.grid_volume_band, tier.grid_unit_band) for tier in self.tier_ids]
        if len(set(cells)) != len(cells):
            raise ValidationError(_("Two tiers of scheme %s share a grid cell.") % self.name)
        for tier in self.tier_ids:
            if not (1 <= tier.grid_volume_band <= len(volume)
                    and 1 <= tier.grid_unit_band <= len(unit)):
                raise ValidationError(
                    _("Tier %(tier)s is outside the grid of %(volume)d x %(unit)d bands.")
                    % {'tier': tier.name, 'volume': len(volume), 'unit': len(unit)})

    @api.constrains('is_primary', 'company_id', 'active')
    def _check_one_primary(self):
        for scheme in self.filtered('is_primary'):
            if self.search_count([('company_id', '=', scheme.company_id.id),
                                  ('is_primary', '=', True)]) > 1:
                raise ValidationError(_("%s already has a primary scheme.")
                                      % scheme.company_id.name)

    @api.model
    def create(self, vals):
        self._check_input_types(vals)  # before the company is read
        if vals.get('is_primary'):
            company = vals.get('company_id') or self.default_get(['company_id'])['company_id']
            self._demote_primaries(self.env['res.company'].browse(company))
        return self.browse(super(CrmTierScheme, self._editing_tiers()).create(vals).ids)

    @api.multi
    def write(self, vals):
        demoted = self._demote_primaries(self.mapped('company_id')) if vals.get('is_primary') \
            else self.browse()
        result = super(CrmTierScheme, self._editing_tiers()).write(vals)
        if 'is_primary' in vals or 'active' in vals:
            (self | demoted)._sync_partner_tiers()
        return result

    def _demote_primaries(self, companies):
        """A company has one primary scheme: choosing one demotes the other."""
        previous = self.search([('company_id', 'in', companies.ids), ('is_primary', '=', True),
                                ('id', 'not in', self.ids)])
        super(CrmTierScheme, previous).write({'is_primary': False})
        previous._sync_partner_tiers()
        return previous

    # -- actions -------------------------------------------------------------

    def _check_manager(self):
        if not self.env.user.has_group('crm_tiering.group_tiering_manager'):
            raise AccessError(_("Only tiering managers recompute or simulate tier schemes."))

    @api.multi
    def action_recompute(self):
        self._check_manager()
        shared = {}
        for scheme in self:
            scheme._recompute(shared)
        return True

    @api.multi
    def action_simulate(self):
        self.ensure_one()
        self._check_manager()
        return self.env['crm.tier.simulation']._simulate(self)

    @api.multi
    def action_generate_grid_tiers(self):
        """Create one tier per grid cell, best first: a 10 x 3 grid gives 30 grades."""
        self.ensure_one()
        self._check_grid()
        volume_count = len(self.band_ids.filtered(lambda band: band.axis == 'volume'))
        unit_count = len(self.band_ids) - volume_count
        if self.env['crm.tier.assignment'].search_count([('scheme_id', '=', self.id)]):
            raise UserError(_("Scheme %s already has tier history. Archive it and create a "
                              "new grid scheme.") % self.name)
        self._editing_tiers().tier_ids.unlink()
        self.write({'tier_ids': [(0, 0, {
            'rank': rank, 'code': 'G%02d' % grade, 'name': _('Grade %d') % grade,
            'grid_volume_band': volume, 'grid_unit_band': unit,
        }) for rank, volume, unit, grade in grading.grid_cells(volume_count, unit_count)]})
        return True

    @api.multi
    def action_view_members(self):
        self.ensure_one()
        action = self.env.ref('crm_tiering.crm_tier_member_action').read()[0]
        action['domain'] = [('scheme_id', '=', self.id)]
        action['context'] = {'search_default_group_tier': 1}
        return action

    @api.model
    def _cron_recompute(self):
        """Every active scheme, primary first, one committed transaction each; a scheme
        already evaluated today is skipped, so a restart after a crash resumes. A scheme
        that fails is logged and left for the next run; the others go on."""
        testing = getattr(threading.currentThread(), 'testing', False)
        shared = {}
        for scheme in self.search([], order='company_id, is_primary desc, id'):
            if scheme.last_run_date == fields.Date.to_string(scheme._today()):
                continue
            try:
                with self.env.cr.savepoint():
                    scheme._recompute(shared)
            except (UserError, ValidationError) as error:
                _logger.warning("Tier scheme %s (id %d) not recomputed: %s",
                                scheme.name, scheme.id, error.name)
                continue
            if not testing:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    # -- the engine ----------------------------------------------------------

    def _today(self):
        """The company's business day: in its partner's time zone, else the user's."""
        tz = self.company_id.partner_id.tz or self.env.user.tz or 'UTC'
        return fields.Date.from_string(fields.Date.context_today(self.with_context(tz=tz)))

    def _recompute(self, shared=None):
        today = self._today()
        results = self._evaluate(today, shared)
        self._store(results, today)

    def _evaluate(self, today, shared=None):
        """Grade every customer of the company. Return {partner id: result dict} with
        the tier after hysteresis and overrides; nothing is written. ``shared`` keeps
        the metric rows for the next schemes of the same company and window."""
        self.ensure_one()
        try:
            self._check_tier_configuration()
        except ValidationError as error:
            raise UserError(error.name)
        key = (self.company_id.id, self.window_days, today)
        shared = {} if shared is None else shared
        if key not in shared:
            tz = self.company_id.partner_id.tz or self.env.user.tz or 'UTC'
            shared[key] = self.env['res.partner']._read_value_metrics(
                self.company_id, today, tz, self.window_days)
        rows = shared[key]
        metrics = {row[0]: row for row in rows}
        values = self._metric_values(rows)
        self.env.cr.execute(SCOPE_QUERY, {'company': self.company_id.id,
                                          'with_history': list(metrics)})
        scope = {pid: (size, score, categories)
                 for pid, size, score, categories in self.env.cr.fetchall()}
        results = self._grade(values, metrics, scope)
        results.update(self._initial_tiers(
            {pid: facts for pid, facts in scope.items() if pid not in results}))
        return self._apply_history(results, today)

    def _metric_values(self, rows):
        if self.metric == 'value_score':
            r = scoring.quintile_scores([row[7] for row in rows], reverse=True)
            f = scoring.quintile_scores([row[5] for row in rows])
            m = scoring.quintile_scores([row[1] for row in rows])
            return {row[0]: scoring.value_score(*rfm) for row, rfm in zip(rows, zip(r, f, m))}
        column = METRIC_COLUMNS[self.metric]
        return {row[0]: float(row[column] or 0) for row in rows}

    def _tier_data(self):
        return [{'id': tier.id, 'rank': tier.rank, 'share': tier.share,
                 'lower_bound': tier.lower_bound, 'volume_band': tier.grid_volume_band,
                 'unit_band': tier.grid_unit_band} for tier in self.tier_ids]

    def _grade(self, values, metrics, scope):
        scores = {pid: scope[pid][1] for pid in values if pid in scope and scope[pid][1]}
        if self.method == 'grid':
            volumes = {pid: float(metrics[pid][3]) for pid in values}
            blended = cuts.blend_manager_scores(volumes, scores, self.manager_weight)
            ranked = {pid: (blended[pid], values[pid] / volumes[pid] if volumes[pid] > 0 else 0)
                      for pid in values}
        else:
            blended = cuts.blend_manager_scores(values, scores, self.manager_weight)
            if self.method == 'pareto':
                blended = {pid: max(0.0, value) for pid, value in blended.items()}
            ranked = blended
        try:
            graded, lowest = grading.grade(
                self.method, ranked, self._tier_data(),
                [b.lower_bound for b in self.band_ids if b.axis == 'volume'],
                [b.lower_bound for b in self.band_ids if b.axis == 'unit'])
        except ValueError as error:
            raise UserError(_("Scheme %(scheme)s cannot grade: %(error)s")
                            % {'scheme': self.name, 'error': error})
        shares = cuts.shares_before(blended.items())
        places = cuts.positions(blended.items())
        grid = self.method == 'grid'  # read once: a field read costs more than a grade
        results = {}
        for pid, tier_id in graded.items():
            row = metrics[pid]
            results[pid] = {
                'computed': tier_id, 'basis': 'ranked',
                'value': float(row[3]) if grid else values[pid],
                'blended': blended[pid], 'unit': ranked[pid][1] if grid else 0,
                'share': shares[pid], 'position': places[pid], 'population': len(graded),
                'lowest': lowest, 'rule': None,
                'snapshot': {'revenue': float(row[1]), 'margin': float(row[2]),
                             'quantity': float(row[3]), 'orders': row[5],
                             'recency_days': row[7]},
            }
        return results

    def _initial_tiers(self, scope):
        """Tiers for customers without history: ``scope`` maps partner id to
        (shop size, manager score, tag ids)."""
        rules = self.initial_rule_ids
        results = {}
        for pid, (size, _score, categories) in scope.items():
            rule = next((rule for rule in rules if rule.matches(categories, size)), None)
            tier = rule.tier_id if rule else self.default_tier_id
            if tier:
                results[pid] = dict(self._ungraded(tier.id),
                                    basis='initial_rule' if rule else 'default',
                                    rule=rule.id if rule else None)
        return results

    @staticmethod
    def _ungraded(tier_id):
        """The result of a customer given a tier without ranking its history."""
        return {'computed': tier_id, 'basis': 'default', 'value': 0.0, 'blended': 0.0,
                'unit': 0.0, 'share': 0.0, 'position': 0, 'population': 0, 'lowest': {},
                'rule': None, 'snapshot': {}}

    def _apply_history(self, results, today):
        """Hysteresis against the members' previous state, then approved overrides.
        Return the results with a tier."""
        rank = {tier.id: tier.rank for tier in self.tier_ids}
        threshold_bounds = {tier.id: tier.lower_bound for tier in self.tier_ids}
        # Read once, not per customer; dates compare as the strings the cursor returns.
        threshold, runs, margin = (self.method == 'threshold', self.hysteresis_runs,
                                   self.hysteresis_margin)
        day = fields.Date.to_string(today)
        self.env.cr.execute(MEMBERS_QUERY, [self.id])
        members = {row[0]: row for row in self.env.cr.fetchall()}
        for pid in set(members) - set(results):
            if members[pid][7] == 'approved':  # an override of a customer not graded now
                results[pid] = dict(self._ungraded(members[pid][9]), computed=None)
        for pid, result in results.items():
            # Hysteresis runs on the computed tier, also under an override.
            (_pid, tier_id, below, evaluated_on, start_tier, start_below, override_id,
             override_state, override_expiry, override_tier, current) = members.get(
                 pid, (None,) * 11)
            if evaluated_on == day:
                base_tier, base_below = start_tier, start_below or 0
            else:
                base_tier, base_below = tier_id, below or 0
            result.update(current=current, start_tier=base_tier, start_below=base_below,
                          tier=result['computed'], below=0, override=None)
            if result['basis'] == 'ranked' and base_tier in rank and result['computed']:
                bound = (threshold_bounds if threshold else result['lowest']).get(base_tier)
                kept, result['below'] = cuts.apply_hysteresis(
                    rank[base_tier], rank[result['computed']], base_below, runs, margin,
                    result['blended'], bound)
                if kept != rank[result['computed']]:
                    result.update(tier=base_tier, basis='held')
            if override_state == 'approved':
                if override_expiry and override_expiry >= day:
                    result.update(tier=override_tier, basis='override', override=override_id)
                else:
                    result['expired_override'] = override_id
        return {pid: result for pid, result in results.items() if result['tier']}

    def _store(self, results, today):
        """Write members, history and (primary scheme) partner tiers in bulk."""
        cr, uid, now = self.env.cr, self.env.uid, fields.Datetime.now()
        scheme_id, company_id = self.id, self.company_id.id
        rank = {tier.id: tier.rank for tier in self.tier_ids}
        expired = [r['expired_override'] for r in results.values() if r.get('expired_override')]
        if expired:
            cr.execute("UPDATE crm_tier_assignment SET approval_state = 'expired' "
                       "WHERE id = ANY(%s)", [expired])
        member_rows, history_rows = [], []
        for pid, r in sorted(results.items()):
            bound = r['lowest'].get(r['tier']) if r['lowest'] else None
            member_rows.append((
                pid, r['tier'], rank[r['tier']], r['computed'], r['basis'], r['value'],
                r['blended'], r['unit'], r['share'], r['position'], r['population'],
                bound or 0, r['below'], r['start_tier'], r['start_below'], r['override'],
                r['rule']))
            if r['tier'] != r['current']:
                snapshot = dict(r['snapshot'], value=round(r['value'], 2),
                                blended_value=round(r['blended'], 2),
                                position=r['position'] or None,
                                population=r['population'] or None)
                history_rows.append((
                    pid, company_id, 'tier', scheme_id, r['current'], r['tier'], now,
                    'computed', r['basis'], json.dumps(snapshot), uid, uid, now, uid, now))
        bulk.copy_rows(cr, MEMBER_ROWS, MEMBER_ROW_COLUMNS, member_rows)
        cr.execute(UPSERT_MEMBERS, {'scheme': scheme_id, 'company': company_id, 'today': today,
                                    'uid': uid, 'now': now})
        cr.execute(DELETE_MEMBERS, [scheme_id])
        execute_values(cr, INSERT_HISTORY, history_rows, page_size=1000)
        self.env['crm.tier.member'].invalidate_cache()
        self._sync_partner_tiers()
        return super(CrmTierScheme, self).write({'last_run': now, 'last_run_date': today})

    def _upsert_member(self, partner, tier, basis, override=None):
        """Set one customer's tier outside a recompute (an approved override); the
        figures of the last evaluation stay."""
        now = fields.Datetime.now()
        self.env.cr.execute(SET_MEMBER_TIER, {
            'partner': partner.id, 'scheme': self.id, 'company': self.company_id.id,
            'tier': tier.id, 'rank': tier.rank, 'basis': basis,
            'override': override and override.id, 'today': self._today(), 'uid': self.env.uid,
            'now': now})
        self.env['crm.tier.member'].invalidate_cache()
        self._sync_partner_tiers(partner.ids)

    def _sync_partner_tiers(self, partner_ids=None):
        """Copy the members' tiers of primary schemes to res.partner.tier_id, and clear
        the tiers of other schemes, touching only the rows that change."""
        only = 'AND p.id = ANY(%(partners)s)' if partner_ids else ''
        for scheme in self.with_context(active_test=False).exists():
            params = {'scheme': scheme.id, 'partners': partner_ids}
            primary = scheme.is_primary and scheme.active
            if primary:
                self.env.cr.execute("""
                    UPDATE res_partner p SET tier_id = m.tier_id
                      FROM crm_tier_member m
                     WHERE m.partner_id = p.id AND m.scheme_id = %(scheme)s
                       AND p.tier_id IS DISTINCT FROM m.tier_id """ + only, params)
            self.env.cr.execute("""
                UPDATE res_partner p SET tier_id = NULL
                  FROM crm_tier t
                 WHERE t.id = p.tier_id AND t.scheme_id = %(scheme)s
                   AND (NOT %(primary)s OR NOT EXISTS (
                        SELECT 1 FROM crm_tier_member m
                         WHERE m.partner_id = p.id AND m.scheme_id = %(scheme)s)) """ + only,
                                dict(params, primary=primary))
        self.env['res.partner'].invalidate_cache(['tier_id'])
