from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import html_escape

from ..lib import tour

# Who runs a route, with whom and for which company: the service manager decides.
ASSIGNMENT_FIELDS = ['user_id', 'driver_id', 'company_id']
WEEKDAY_FIELDS = ['visit_mon', 'visit_tue', 'visit_wed', 'visit_thu', 'visit_fri',
                  'visit_sat', 'visit_sun']


class CrmVisitRoute(models.Model):
    """A visit-sales route (访销线路): the shops an account manager visits on given
    weekdays, in stop order, and whose orders are delivered together."""

    _name = 'crm.visit.route'
    _inherit = ['crm.input.check', 'mail.thread']
    _description = 'Visit Route'
    _order = 'code'

    code = fields.Char(required=True, track_visibility='onchange')
    name = fields.Char(required=True, translate=True, track_visibility='onchange')
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        'res.company', required=True,
        default=lambda self: self.env['res.company']._company_default_get('crm.visit.route'))
    user_id = fields.Many2one(
        'res.users', string='Account Manager', track_visibility='onchange',
        default=lambda self: self.env.user, help="Visits the shops of the route.")
    visit_mon = fields.Boolean(string='Monday')
    visit_tue = fields.Boolean(string='Tuesday')
    visit_wed = fields.Boolean(string='Wednesday')
    visit_thu = fields.Boolean(string='Thursday')
    visit_fri = fields.Boolean(string='Friday')
    visit_sat = fields.Boolean(string='Saturday')
    visit_sun = fields.Boolean(string='Sunday')
    delivery_offset_days = fields.Integer(
        string='Delivery After (days)', default=1,
        help="Orders taken on a visit day are delivered this many days later.")
    depot_id = fields.Many2one(
        'res.partner', string='Depot',
        default=lambda self: self.env.user.company_id.partner_id,
        help="Where tours start and end; its coordinates anchor the stop order.")
    driver_id = fields.Many2one(
        'res.users', string='Delivery Staff', track_visibility='onchange',
        help="Delivers the route; becomes the responsible of its delivery batches.")
    delivery_capacity = fields.Integer(
        string='Stops per Batch', default=0,
        help="The most shops one delivery batch of the route serves; 0 is unlimited. "
             "Orders that do not fit wait for the next day, lowest priority first.")
    stop_ids = fields.One2many('crm.visit.route.stop', 'route_id', string='Stops', copy=False)
    stop_count = fields.Integer(compute='_compute_stop_count', string='Shops')
    distance_km = fields.Float(
        string='Tour (km)', digits=(16, 1), readonly=True, copy=False,
        help="The closed tour from the depot through the stops with coordinates, in the "
             "current order.")

    _sql_constraints = [
        ('code_company_unique', 'UNIQUE (code, company_id)',
         'Route codes must be unique in a company.'),
    ]

    @api.multi
    def write(self, vals):
        self._check_assignment(vals)
        return super().write(vals)

    def _check_assignment(self, vals):
        changed = [name for name in ASSIGNMENT_FIELDS if name in vals
                   and any(route[name].id != (vals[name] or False) for route in self)]
        if changed and not self.env.user.has_group('crm_service.group_service_manager'):
            raise AccessError(_("Only service managers change a route's account manager, "
                                "delivery staff or company."))

    @api.depends('stop_ids')
    def _compute_stop_count(self):
        for route in self:
            route.stop_count = len(route.stop_ids)

    @api.constrains(*WEEKDAY_FIELDS)
    def _check_weekdays(self):
        for route in self:
            if not any(route[name] for name in WEEKDAY_FIELDS):
                raise ValidationError(_("Route %s needs at least one visiting weekday.")
                                      % route.code)

    @api.constrains('delivery_offset_days')
    def _check_delivery_offset(self):
        for route in self:
            if not 0 <= route.delivery_offset_days <= 14:
                raise ValidationError(_("Route %s: delivery follows the visit by 0 to 14 "
                                        "days.") % route.code)

    @api.constrains('delivery_capacity')
    def _check_delivery_capacity(self):
        for route in self:
            if route.delivery_capacity < 0:
                raise ValidationError(_("Route %s: the stops per batch cannot be negative "
                                        "(0 is unlimited).") % route.code)

    @api.multi
    def name_get(self):
        return [(route.id, '[%s] %s' % (route.code, route.name)) for route in self]

    @api.multi
    def action_optimise_stops(self):
        for route in self:
            route._optimise_stops()
        return True

    def _optimise_stops(self):
        """Order the stops into a short closed tour from the depot; stops without
        coordinates keep their order after the others and are listed in the chatter."""
        self.ensure_one()
        depot = self._depot_point()
        located = self.stop_ids.filtered(lambda stop: stop._point())
        before = self._tour_km()
        order = tour.optimise(depot, {stop.id: stop._point() for stop in located})
        missing = self.stop_ids - located
        for sequence, stop in enumerate(self.stop_ids.browse(order) | missing, start=1):
            stop.sequence = sequence
        self._sync_visit_sequences()
        after = self._tour_km()
        self.distance_km = after
        body = _("Stops optimised: tour of %(before).1f km before, %(after).1f km after.") % {
            'before': before, 'after': after}
        if missing:
            body += ' ' + _("Without coordinates, kept at the end: %s") % ', '.join(
                missing.mapped('partner_id.display_name'))
        self.message_post(body=html_escape(body))
        return before, after

    def _depot_point(self):
        point = self.depot_id and (self.depot_id.partner_latitude,
                                   self.depot_id.partner_longitude)
        if not point or point == (0.0, 0.0):
            raise UserError(_("Give the depot of route %s coordinates first (the depot "
                              "contact's geolocation).") % self.code)
        return point

    def _tour_km(self):
        stops = self.stop_ids.sorted('sequence').filtered(lambda stop: stop._point())
        return tour.tour_length(self._depot_point(), {s.id: s._point() for s in stops},
                                stops.ids)

    def _sync_visit_sequences(self):
        """The open visits of the routes take their customers' stop numbers."""
        if not self.ids:
            return
        self.env.cr.execute("""
            UPDATE crm_visit v SET sequence = s.sequence
              FROM crm_visit_route_stop s
             WHERE s.route_id = v.route_id AND s.partner_id = v.partner_id
               AND v.route_id = ANY(%s) AND v.state IN ('planned', 'in_progress')
               AND v.sequence IS DISTINCT FROM s.sequence""", [self.ids])
        self.env['crm.visit'].invalidate_cache(['sequence'])

    def allows_weekday(self, weekday):
        """``weekday`` as date.weekday(): 0 is Monday."""
        self.ensure_one()
        return self[WEEKDAY_FIELDS[weekday]]
