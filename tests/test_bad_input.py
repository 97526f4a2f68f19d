"""Bad input over XML-RPC gets a clear error and leaves nothing behind.

One prefork server (2 workers) on a copy of the demo template, as in
test_access_matrix. Admin makes the records the cases work on; then each case
of CASES is tried as the lowest-rights demo user who does that job: values that
break each constraint and business check of the four addons, wrong types (text
for a number, a date or a link, a list for a text, a dict for a selection, an
impossible date), unknown ids, and CSV imports naming tier codes that do not
exist.

XML-RPC (/xmlrpc/2) gives a UserError as fault code 2 with its message, a
MissingError as code 2 with its arguments' repr, an AccessError as code 4, and
anything else as code 1 with a traceback whose last exception line names the
class (a ValidationError). Each case runs in English, then in Chinese: the
error must be of the class CASES names, its English message must contain the
text CASES names, and the Chinese one must be translated. Around every call the
test counts and dates the rows of every table the addons write, and admin
re-reads the target: any change is a partial write.

Wrong types, which Odoo 11 alone answers with a raw ValueError or psycopg2
error (a word for a number, an impossible date, a dict for a selection) or
stores converted (a list for a text), get a ValidationError naming the field
from the addons' type check (crm_tiering's crm.input.check) like the rest. Odoo
itself ignores unknown ids on read and unlink: CASES says 'no error' there, and
the report lists those answers (var/log/bad-input.txt).
"""
import ast
import datetime
import re
import xmlrpc.client

import pytest
import pytz
from psycopg2 import sql

import crmdb
from conftest import PREFORK, demo_server


REPORT = crmdb.LOG_DIR / 'bad-input.txt'
MISSING = 999999999  # an id no table reaches
CLEAR = ('UserError', 'ValidationError', 'AccessError', 'MissingError')
# Odoo core's answer to a read or an unlink of an unknown id: no error, with
# the result's repr as the text.
NO_ERROR = 'no error'
LANGS = ('en_US', 'zh_CN')
# Tables the addons do not define fields on but write to.
EXTRA_TABLES = ['mail_message', 'mail_tracking_value', 'mail_activity', 'mail_followers',
                'ir_attachment', 'sale_order_line', 'stock_move', 'stock_move_line',
                'base_import_import']
ADDON_TABLES = """
SELECT DISTINCT c.relname
  FROM ir_model_fields f
  JOIN ir_model_data d ON d.model = 'ir.model.fields' AND d.res_id = f.id
  JOIN pg_class c ON c.relname = replace(f.model, '.', '_') AND c.relkind = 'r'
 WHERE d.module = ANY(%s)
"""
FAULT_CODES = {2: 'UserError', 4: 'AccessError'}
ARGS_REPR = re.compile(r"^\((['\"]).*\1, None\)$", re.S)

# (who, model, method, arguments, expected, text[, context]). '$name' stands for
# an id or a date of the records built below. ``expected`` is an error class of
# CLEAR, or NO_ERROR; ``text`` is in the English message (or is the result).
CASES = [
    # -- crm_tiering: schemes, tiers, bands --------------------------------------
    ('sales_manager', 'crm.tier.scheme', 'create', [{'name': 'Bad', 'window_days': 0}],
     'ValidationError', 'must be at least one day'),
    ('sales_manager', 'crm.tier.scheme', 'create', [{'name': 'Bad', 'manager_weight': 1.5}],
     'ValidationError', 'must be between 0 and 1'),
    ('sales_manager', 'crm.tier.scheme', 'write', [['$threshold'], {'manager_weight': -0.1}],
     'ValidationError', 'must be between 0 and 1'),
    ('sales_manager', 'crm.tier.scheme', 'create', [{'name': 'Bad', 'hysteresis_runs': 0}],
     'ValidationError', 'a downgrade needs at least one evaluation'),
    ('sales_manager', 'crm.tier.scheme', 'write', [['$threshold'], {'hysteresis_margin': 1}],
     'ValidationError', 'must be at least 0 and below 1'),
    ('sales_manager', 'crm.tier.scheme', 'create', [{
        'name': 'Bad', 'method': 'pareto', 'tier_ids': [
            (0, 0, {'name': 'X', 'code': 'X', 'rank': 1, 'share': 80}),
            (0, 0, {'name': 'Y', 'code': 'Y', 'rank': 2, 'share': 15})]}],
     'ValidationError', 'must be positive and sum to 100% (now 80 + 15)'),
    ('sales_manager', 'crm.tier.scheme', 'create', [{
        'name': 'Bad', 'method': 'quantile', 'tier_ids': [
            (0, 0, {'name': 'X', 'code': 'X', 'rank': 1, 'share': 60}),
            (0, 0, {'name': 'Y', 'code': 'Y', 'rank': 2, 'share': 60})]}],
     'ValidationError', 'must be positive and sum to 100%'),
    ('sales_manager', 'crm.tier.scheme', 'create', [{
        'name': 'Bad', 'method': 'threshold', 'tier_ids': [
            (0, 0, {'name': 'X', 'code': 'X', 'rank': 1, 'lower_bound': 10}),
            (0, 0, {'name': 'Y', 'code': 'Y', 'rank': 2, 'lower_bound': 100})]}],
     'ValidationError', 'overlap or are out of order'),
    ('sales_manager', 'crm.tier.scheme', 'create', [{'name': 'Bad', 'method': 'grid'}],
     'ValidationError', 'needs at least one volume band and one value band'),
    ('sales_manager', 'crm.tier.scheme', 'create', [{
        'name': 'Bad', 'method': 'grid', 'metric': 'quantity', 'band_ids': [
            (0, 0, {'axis': 'volume', 'lower_bound': 0}),
            (0, 0, {'axis': 'unit', 'lower_bound': 0})]}],
     'ValidationError', 'A grid ranks revenue or margin per unit'),
    ('sales_manager', 'crm.tier.scheme', 'write', [['$threshold'], {'default_tier_id': '$bpa'}],
     'ValidationError', 'must be one of its tiers'),
    ('sales_manager', 'crm.tier.scheme', 'action_recompute', [['$empty']],
     'UserError', 'has no tiers yet'),
    ('sales_manager', 'crm.tier.scheme', 'action_simulate', [['$empty']],
     'UserError', 'has no tiers yet'),
    ('sales_manager', 'crm.tier.scheme', 'action_generate_grid_tiers', [['$threshold']],
     'ValidationError', 'needs at least one volume band and one value band'),
    ('sales_manager', 'crm.tier.scheme', 'create', [{'name': 'Bad', 'window_days': '1 year'}],
     'ValidationError', "Window (days): '1 year' is not a whole number."),
    ('sales_manager', 'crm.tier.scheme', 'create', [{'name': 'Bad', 'manager_weight': 'high'}],
     'ValidationError', "Manager Score Weight: 'high' is not a number."),
    ('sales_manager', 'crm.tier.scheme', 'create', [{'name': 'Bad', 'method': {'grid': 1}}],
     'ValidationError', "Method: {'grid': 1} is not one of 'pareto', 'quantile', 'threshold',"),
    ('sales_manager', 'crm.tier.scheme', 'create', [{'name': 'Bad', 'company_id': MISSING}],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.tier.scheme', 'create', [{'name': ['Bad', 'list']}],
     'ValidationError', "Name: ['Bad', 'list'] is not text."),
    ('sales_manager', 'crm.tier.scheme', 'read', [[MISSING], ['name']], 'no error', '[]'),
    ('sales_manager', 'crm.tier.scheme', 'write', [[MISSING], {'sequence': 3}],
     'MissingError', 'been deleted'),
    ('sales_manager', 'crm.tier.scheme', 'unlink', [[MISSING]], 'no error', 'True'),
    ('sales_manager', 'crm.tier.scheme', 'action_recompute', [[MISSING]],
     'MissingError', 'Record does not exist or has been deleted'),
    ('sales_manager', 'crm.tier', 'create', [{
        'scheme_id': '$threshold', 'name': 'Dup', 'code': 'BT1', 'rank': 7,
        'lower_bound': 10}],
     'ValidationError', 'Tier codes must be unique in a scheme.'),
    ('sales_manager', 'crm.tier', 'create', [{
        'scheme_id': '$threshold', 'name': 'Zero', 'code': 'BT0', 'rank': 0}],
     'ValidationError', 'The tier rank starts at 1.'),
    ('sales_manager', 'crm.tier', 'create', [{
        'scheme_id': '$pareto', 'name': 'Over', 'code': 'BPO', 'rank': 3, 'share': 150}],
     'ValidationError', 'A tier share is a percentage between 0 and 100.'),
    # A tier added, changed or deleted on its own keeps its scheme whole.
    ('sales_manager', 'crm.tier', 'create', [{
        'scheme_id': '$pareto', 'name': 'Extra', 'code': 'BPC', 'rank': 3, 'share': 10}],
     'ValidationError', 'must be positive and sum to 100% (now 80 + 20 + 10)'),
    ('sales_manager', 'crm.tier', 'write', [['$bpa'], {'share': 70}],
     'ValidationError', 'must be positive and sum to 100% (now 70 + 20)'),
    ('sales_manager', 'crm.tier', 'unlink', [['$bpb']],
     'ValidationError', 'must be positive and sum to 100% (now 80)'),
    ('sales_manager', 'crm.tier', 'write', [['$bt2'], {'lower_bound': 2e6}],
     'ValidationError', 'overlap or are out of order'),
    ('sales_manager', 'crm.tier', 'create', [{
        'scheme_id': '$threshold', 'name': 'Word', 'code': 'BTW', 'rank': 'third'}],
     'ValidationError', "Rank: 'third' is not a whole number."),
    ('sales_manager', 'crm.tier', 'create', [{
        'scheme_id': MISSING, 'name': 'Lost', 'code': 'L', 'rank': 1}],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.tier', 'write', [[MISSING], {'color': 2}],
     'MissingError', 'been deleted'),
    ('sales_manager', 'crm.tier.band', 'create', [{
        'scheme_id': '$grid', 'axis': 'volume', 'lower_bound': 0}],
     'ValidationError', 'Two bands of one axis cannot start at the same value.'),
    ('sales_manager', 'crm.tier.band', 'unlink', [['$band_volume_high']],
     'ValidationError', 'is outside the grid of 1 x 1 bands'),
    ('sales_manager', 'crm.tier.band', 'unlink', [['$band_unit']],
     'ValidationError', 'needs at least one volume band and one value band'),
    ('sales_manager', 'crm.tier.band', 'create', [{
        'scheme_id': '$grid', 'axis': 'diagonal', 'lower_bound': 5}],
     'ValidationError', "Axis: 'diagonal' is not one of 'volume', 'unit'."),
    ('sales_manager', 'crm.tier.band', 'create', [{
        'scheme_id': '$grid', 'axis': 'unit', 'lower_bound': 'cheap'}],
     'ValidationError', "Lower Bound: 'cheap' is not a number."),

    # -- crm_tiering: policies, quotas, rules, periods -----------------------------
    ('sales_manager', 'crm.tier.policy', 'create', [{'name': 'Bad', 'visit_interval_days': 0}],
     'ValidationError', 'the visit interval must be at least one day'),
    ('sales_manager', 'crm.tier.policy', 'create', [{'name': 'Bad', 'credit_limit': -1}],
     'ValidationError', 'the credit limit cannot be negative'),
    ('sales_manager', 'crm.tier.policy', 'write', [['$policy'], {
        'restricted_quota_percent': 120}],
     'ValidationError', 'the restricted quota share must be between 0 and 100%'),
    ('sales_manager', 'crm.tier.policy', 'create', [{
        'name': 'Bad', 'sla_response_hours': 10, 'sla_resolution_hours': 5}],
     'ValidationError', 'the resolution time cannot be shorter than the response time'),
    ('sales_manager', 'crm.tier.policy', 'create', [{
        'name': 'Bad', 'sla_response_hours': -1}],
     'ValidationError', 'SLA hours cannot be negative'),
    ('sales_manager', 'crm.tier.policy', 'write', [['$policy'], {
        'order_mon': False, 'order_tue': False, 'order_wed': False, 'order_thu': False,
        'order_fri': False, 'order_sat': False, 'order_sun': False}],
     'ValidationError', 'must allow ordering on at least one weekday'),
    ('sales_manager', 'crm.tier.policy', 'unlink', [['$policy']],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.tier.policy', 'create', [{'name': 'Bad', 'delivery_priority': 3}],
     'ValidationError', "Delivery Priority: 3 is not one of '0', '1', '2', '3'."),
    ('sales_manager', 'crm.tier.policy', 'create', [{'name': 'Bad', 'credit_limit': '1e9x'}],
     'ValidationError', "Credit Limit: '1e9x' is not a number."),
    ('sales_manager', 'crm.tier.policy', 'create', [{'name': 'Bad', 'pricelist_id': MISSING}],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.tier.quota', 'create', [{
        'policy_id': '$policy', 'product_id': '$beer', 'uom_id': '$unit', 'max_qty': -1}],
     'ValidationError', 'A quota cannot be negative.'),
    ('sales_manager', 'crm.tier.quota', 'create', [{
        'policy_id': '$policy', 'product_id': '$beer', 'categ_id': '$categ',
        'uom_id': '$unit', 'max_qty': 1}],
     'ValidationError', 'A quota limits either one product or one product category.'),
    ('sales_manager', 'crm.tier.quota', 'create', [{
        'policy_id': '$policy', 'uom_id': '$unit', 'max_qty': 1}],
     'ValidationError', 'A quota limits either one product or one product category.'),
    ('sales_manager', 'crm.tier.quota', 'create', [{
        'policy_id': '$policy', 'product_id': '$beer', 'uom_id': '$kg', 'max_qty': 1}],
     'ValidationError', 'The quota unit kg cannot measure Bad Input Beer.'),
    ('sales_manager', 'crm.tier.quota', 'write', [['$quota'], {'max_qty': -5}],
     'ValidationError', 'A quota cannot be negative.'),
    ('sales_manager', 'crm.tier.quota', 'create', [{
        'policy_id': '$policy', 'product_id': '$beer', 'uom_id': '$unit', 'max_qty': 'abc'}],
     'ValidationError', "Maximum Quantity: 'abc' is not a number."),
    ('sales_manager', 'crm.tier.quota', 'create', [{
        'policy_id': '$policy', 'product_id': '$beer', 'uom_id': '$unit', 'max_qty': 1,
        'period': 'year'}],
     'ValidationError', "Period: 'year' is not one of 'week', 'month'."),
    ('sales_manager', 'crm.tier.quota', 'create', [{
        'policy_id': '$policy', 'product_id': 'Bad Input Beer', 'uom_id': '$unit',
        'max_qty': 1}],
     'ValidationError', "Product: 'Bad Input Beer' is not a record id."),
    ('sales_manager', 'crm.tier.quota', 'create', [{
        'policy_id': '$policy', 'product_id': MISSING, 'uom_id': '$unit', 'max_qty': 1}],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.tier.initial.rule', 'create', [{
        'scheme_id': '$threshold', 'tier_id': '$bt2'}],
     'ValidationError', 'An initial tier rule needs a customer tag or a shop size'),
    ('sales_manager', 'crm.tier.initial.rule', 'create', [{
        'scheme_id': '$threshold', 'tier_id': '$bpa', 'shop_size': 'large'}],
     'ValidationError', 'The initial tier Bad A is not a tier of scheme Bad threshold.'),
    ('sales_manager', 'crm.tier.initial.rule', 'create', [{
        'scheme_id': '$threshold', 'tier_id': '$bt2', 'shop_size': 'huge'}],
     'ValidationError', "Shop Size: 'huge' is not one of 'small', 'medium', 'large'."),
    ('sales_manager', 'crm.tier.initial.rule', 'create', [{
        'scheme_id': '$threshold', 'tier_id': MISSING, 'shop_size': 'large'}],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.tier.excluded.period', 'create', [{
        'name': 'Bad', 'date_from': '2026-05-10', 'date_to': '2026-05-01'}],
     'ValidationError', 'The excluded period Bad ends before it starts.'),
    ('sales_manager', 'crm.tier.excluded.period', 'write', [['$period'], {
        'date_to': '2020-01-01'}],
     'ValidationError', 'ends before it starts'),
    ('sales_manager', 'crm.tier.excluded.period', 'create', [{
        'name': 'Bad', 'date_from': '2026-05-01'}],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.tier.excluded.period', 'create', [{
        'name': 'Bad', 'date_from': '2026-02-30', 'date_to': '2026-03-01'}],
     'ValidationError', "From: '2026-02-30' is not a date: give it as YYYY-MM-DD."),
    ('sales_manager', 'crm.tier.excluded.period', 'create', [{
        'name': 'Bad', 'date_from': 'spring', 'date_to': '2026-03-01'}],
     'ValidationError', "From: 'spring' is not a date: give it as YYYY-MM-DD."),

    # -- crm_tiering: override requests, customers, settings -----------------------
    ('am1', 'crm.tier.assignment', 'create', [{
        'partner_id': '$shop', 'tier_id': '$bt1', 'expiry_date': '$future'}],
     'ValidationError', 'An override request needs the customer, the new tier, a reason'),
    ('am1', 'crm.tier.assignment', 'create', [{
        'partner_id': '$shop', 'tier_id': '$bt1', 'reason': '   ', 'expiry_date': '$future'}],
     'ValidationError', 'An override request needs the customer, the new tier, a reason'),
    ('am1', 'crm.tier.assignment', 'create', [{
        'tier_id': '$bt1', 'reason': 'Who?', 'expiry_date': '$future'}],
     'ValidationError', 'An override request needs the customer, the new tier, a reason'),
    ('am1', 'crm.tier.assignment', 'create', [{
        'partner_id': '$shop', 'tier_id': '$bt1', 'reason': 'Late', 'expiry_date': '$past'}],
     'ValidationError', 'An override must expire after today.'),
    ('am1', 'crm.tier.assignment', 'create', [{
        'partner_id': '$shop', 'tier_id': '$bt1', 'reason': 'Now', 'expiry_date': '$today'}],
     'ValidationError', 'An override must expire after today.'),
    # Compared as text, yesterday without leading zeros came after today.
    ('am1', 'crm.tier.assignment', 'create', [{
        'partner_id': '$shop', 'tier_id': '$bt1', 'reason': 'Unpadded',
        'expiry_date': '$past_unpadded'}],
     'ValidationError', 'An override must expire after today.'),
    ('am1', 'crm.tier.assignment', 'create', [{
        'partner_id': '$shop', 'tier_id': '$bt1', 'reason': 'Month 13',
        'expiry_date': '2026-13-45'}],
     'ValidationError', "Expiry Date: '2026-13-45' is not a date: give it as YYYY-MM-DD."),
    ('am1', 'crm.tier.assignment', 'create', [{
        'partner_id': '$shop', 'tier_id': '$bt1', 'reason': 'A number',
        'expiry_date': 20991231}],
     'ValidationError', 'Expiry Date: 20991231 is not a date'),
    ('am1', 'crm.tier.assignment', 'create', [{
        'partner_id': '$shop', 'tier_id': MISSING, 'reason': 'Lost', 'expiry_date': '$future'}],
     'MissingError', 'Record does not exist or has been deleted'),
    ('am1', 'crm.tier.assignment', 'create', [{
        'partner_id': MISSING, 'tier_id': '$bt1', 'reason': 'Lost', 'expiry_date': '$future'}],
     'MissingError', 'Record does not exist or has been deleted'),
    ('am1', 'crm.tier.assignment', 'create', [{
        'partner_id': '$shop', 'tier_id': 'BT1', 'reason': 'A code', 'expiry_date': '$future'}],
     'ValidationError', "New Tier: 'BT1' is not a record id."),
    ('am1', 'crm.tier.assignment', 'write', [['$request'], {'reason': ' '}],
     'ValidationError', 'An override request needs the customer, the new tier, a reason'),
    ('am1', 'crm.tier.assignment', 'write', [['$request'], {'expiry_date': '$past'}],
     'ValidationError', 'An override must expire after today.'),
    ('am1', 'crm.tier.assignment', 'write', [['$request'], {'expiry_date': 'soon'}],
     'ValidationError', "Expiry Date: 'soon' is not a date"),
    ('am1', 'crm.tier.assignment', 'write', [['$request'], {'tier_id': '$bt2'}],
     'UserError', 'Tier history cannot be changed.'),
    ('am1', 'crm.tier.assignment', 'action_approve', [['$request']],
     'AccessError', 'Only tiering managers approve or reject overrides.'),
    ('sales_manager', 'crm.tier.assignment', 'action_approve', [['$request_by_manager']],
     'AccessError', 'You cannot decide on your own override request.'),
    ('sales_manager', 'crm.tier.assignment', 'action_approve', [['$request_rejected']],
     'UserError', 'is not waiting for approval'),
    ('sales_manager', 'crm.tier.assignment', 'action_reject', [[MISSING]],
     'MissingError', 'Record does not exist or has been deleted'),
    ('compliance', 'crm.tier.assignment', 'create', [{
        'kind': 'compliance', 'compliance_class': 'C'}],
     'ValidationError', 'The operation cannot be completed'),
    ('am1', 'res.partner', 'write', [['$shop'], {'manager_score': 150}],
     'ValidationError', 'The manager score is between 1 and 100, or 0 for none.'),
    ('am1', 'res.partner', 'write', [['$shop'], {'tier_id': '$bt1'}],
     'UserError', 'Customer value metrics and tiers are computed, not entered: tier_id.'),
    ('am1', 'res.partner', 'write', [['$shop'], {'rfm_segment': 'champions'}],
     'UserError', 'are computed, not entered: rfm_segment.'),
    ('am1', 'res.partner', 'write', [['$shop'], {'manager_score': 'high'}],
     'ValidationError', "Manager Score: 'high' is not a whole number."),
    ('am1', 'res.partner', 'write', [['$shop'], {'shop_size': 'huge'}],
     'ValidationError', "Shop Size: 'huge' is not one of 'small', 'medium', 'large'."),
    ('compliance', 'res.partner', 'write', [['$shop'], {'compliance_class': 'Z'}],
     'ValidationError', "Compliance Class: 'Z' is not one of 'A', 'B', 'C', 'W'."),
    ('am1', 'res.partner', 'write', [[MISSING], {'manager_score': 5}],
     'MissingError', 'been deleted'),
    # Settings are the administrator's.
    ('admin', 'res.config.settings', 'create', [{'tier_metrics_window_days': -1}],
     'ValidationError', 'The value metrics window must be at least one day.'),
    ('admin', 'res.config.settings', 'create', [{'visit_plan_weeks': 0}],
     'ValidationError', 'Visits are planned 1 to 26 weeks ahead.'),
    ('admin', 'res.config.settings', 'create', [{
        'service_response_hours': 10, 'service_resolution_hours': 5}],
     'ValidationError', 'The default resolution time cannot be shorter than the response'),
    ('admin', 'res.config.settings', 'create', [{'service_response_hours': -1}],
     'ValidationError', 'Default SLA hours cannot be negative.'),
    ('admin', 'res.config.settings', 'create', [{'lifecycle_risk_threshold': 150}],
     'ValidationError', 'The at-risk churn risk is between 0 and 100.'),
    ('admin', 'res.config.settings', 'create', [{'visit_plan_weeks': 'two'}],
     'ValidationError', "Visit Planning Horizon (weeks): 'two' is not a whole number."),
    ('order_desk', 'sale.order', 'action_confirm', [['$order_over_quota']],
     'UserError', 'Bad Input Beer is limited to 5'),

    # -- crm_service: routes, stops, visits, shelf stock ----------------------------
    ('sales_manager', 'crm.visit.route', 'create', [{'code': 'BX9', 'name': 'No days'}],
     'ValidationError', 'Route BX9 needs at least one visiting weekday.'),
    ('sales_manager', 'crm.visit.route', 'create', [{
        'code': 'BX1', 'name': 'Same code', 'visit_tue': True}],
     'ValidationError', 'Route codes must be unique in a company.'),
    ('am1', 'crm.visit.route', 'write', [['$route'], {'delivery_offset_days': 30}],
     'ValidationError', 'Route BX1: delivery follows the visit by 0 to 14 days.'),
    ('am1', 'crm.visit.route', 'write', [['$route'], {'delivery_capacity': -1}],
     'ValidationError', 'the stops per batch cannot be negative'),
    ('am1', 'crm.visit.route', 'write', [['$route'], {'visit_mon': False}],
     'ValidationError', 'Route BX1 needs at least one visiting weekday.'),
    ('am1', 'crm.visit.route', 'action_optimise_stops', [['$route']],
     'UserError', 'Give the depot of route BX1 coordinates first'),
    ('am1', 'crm.visit.route', 'write', [['$route'], {'delivery_offset_days': 'two'}],
     'ValidationError', "Delivery After (days): 'two' is not a whole number."),
    ('am1', 'crm.visit.route', 'action_optimise_stops', [[MISSING]],
     'MissingError', 'Record does not exist or has been deleted'),
    ('am1', 'crm.visit.route.stop', 'create', [{'route_id': '$route', 'partner_id': '$shop'}],
     'ValidationError', 'Bad Input Shop is already on route [BX1] Bad route.'),
    ('am1', 'crm.visit.route.stop', 'create', [{'route_id': '$route', 'partner_id': MISSING}],
     'ValidationError', 'The operation cannot be completed'),
    ('am1', 'crm.visit.route.stop', 'create', [{'route_id': 'BX1', 'partner_id': '$shop3'}],
     'ValidationError', "Route: 'BX1' is not a record id."),
    ('am1', 'crm.visit', 'action_check_in', [['$visit_later']],
     'UserError', 'change its date to today to check in'),
    ('am1', 'crm.visit', 'action_check_out', [['$visit_later']],
     'UserError', 'Check in before checking out.'),
    ('am1', 'crm.visit', 'action_check_in', [['$visit_today']],
     'UserError', 'was checked in at'),
    ('am1', 'crm.visit', 'action_check_out', [['$visit_today']],
     'UserError', 'Choose the outcome of the visit to Bad Input Shop Two'),
    ('am1', 'crm.visit', 'action_cancel', [['$visit_today']],
     'UserError', 'Only planned or missed visits can be cancelled.'),
    ('am1', 'crm.visit', 'action_reset', [['$visit_later']],
     'UserError', 'Only cancelled visits can be planned again.'),
    ('am1', 'crm.visit', 'create', [{
        'partner_id': '$shop', 'route_id': '$route', 'date': '$later'}],
     'ValidationError', 'A customer has one visit a day.'),
    ('am1', 'crm.visit', 'write', [['$visit_later'], {'state': 'done'}],
     'AccessError', 'are set by its buttons, not by hand'),
    ('am1', 'crm.visit', 'create', [{
        'partner_id': '$shop', 'route_id': '$route', 'date': '2026-13-45'}],
     'ValidationError', "Date: '2026-13-45' is not a date: give it as YYYY-MM-DD."),
    ('am1', 'crm.visit', 'write', [['$visit_later'], {'satisfaction': '9'}],
     'ValidationError', "Satisfaction: '9' is not one of '0', '1', '2', '3', '4', '5'."),
    ('am1', 'crm.visit', 'write', [['$visit_later'], {'outcome': {'ordered': True}}],
     'ValidationError', "Outcome: {'ordered': True} is not one of 'ordered', 'no_order',"),
    ('am1', 'crm.visit', 'create', [{
        'partner_id': MISSING, 'route_id': '$route', 'date': '$later'}],
     'ValidationError', 'The operation cannot be completed'),
    ('am1', 'crm.visit', 'action_check_in', [[MISSING]],
     'MissingError', 'been deleted'),
    ('am1', 'crm.visit', 'action_take_order', [[MISSING]],
     'MissingError', 'Record does not exist or has been deleted'),
    ('am1', 'crm.visit.shelf.line', 'create', [{
        'visit_id': '$visit_today', 'product_id': '$beer', 'quantity': -2}],
     'ValidationError', 'The shelf stock of Bad Input Beer cannot be negative.'),
    ('am1', 'crm.visit.shelf.line', 'write', [['$shelf'], {'quantity': -1}],
     'ValidationError', 'cannot be negative'),
    ('am1', 'crm.visit.shelf.line', 'create', [{
        'visit_id': '$visit_today', 'product_id': '$beer', 'quantity': '3 boxes'}],
     'ValidationError', "On Shelf: '3 boxes' is not a number."),
    ('am1', 'crm.visit.shelf.line', 'create', [{
        'visit_id': '$visit_today', 'product_id': MISSING, 'quantity': 1}],
     'ValidationError', 'The operation cannot be completed'),
    ('am1', 'crm.visit.plan', 'action_plan', [['$plan_30_weeks']],
     'UserError', 'Visits are planned 1 to 26 weeks ahead.'),
    ('am1', 'crm.visit.plan', 'create', [{'weeks': 'two'}],
     'ValidationError', "Weeks Ahead: 'two' is not a whole number."),
    ('am1', 'crm.visit.plan', 'create', [{'weeks': 1, 'route_ids': [(6, 0, [MISSING])]}],
     'ValidationError', 'The operation cannot be completed'),

    # -- crm_service: service requests and stages -----------------------------------
    ('service_desk', 'crm.service.request', 'write', [['$complaint'], {
        'stage_id': '$stage_closed'}],
     'ValidationError', 'Give the root cause and the corrective action'),
    ('service_desk', 'crm.service.request', 'write', [['$complaint'], {
        'stage_id': '$stage_closed', 'root_cause': '   ', 'corrective_action': 'Refund'}],
     'ValidationError', 'complaints and quality requests need both'),
    ('service_desk', 'crm.service.request', 'create', [{
        'name': 'Closed at once', 'partner_id': '$shop', 'request_type': 'quality',
        'stage_id': '$stage_closed'}],
     'ValidationError', 'Give the root cause and the corrective action'),
    ('service_desk', 'crm.service.request', 'write', [['$complaint'], {'rating': 9}],
     'ValidationError', "The customer's rating is from 1 to 5 (0: not rated); 9 is not"),
    ('service_desk', 'crm.service.request', 'create', [{
        'name': 'Tomorrow', 'partner_id': '$shop', 'date_received': '2099-01-01 08:00:00'}],
     'ValidationError', 'A request cannot be received in the future.'),
    ('service_desk', 'crm.service.request', 'create', [{
        'name': 'Wrong order', 'partner_id': '$shop', 'sale_order_id': '$order_other'}],
     'ValidationError', 'belongs to another customer'),
    ('service_desk', 'crm.service.request', 'create', [{
        'name': 'Wrong visit', 'partner_id': '$shop', 'visit_id': '$visit_today'}],
     'ValidationError', 'belongs to another customer'),
    ('am1', 'crm.service.request', 'write', [['$complaint'], {'stage_id': '$stage_closed'}],
     'AccessError', 'Only service agents move requests through stages'),
    ('service_desk', 'crm.service.request', 'write', [['$complaint'], {
        'response_escalated': True}],
     'AccessError', 'These fields of a service request are set by the system'),
    ('service_desk', 'crm.service.request', 'search', [[('is_overdue', '>', 1)]],
     'ValidationError', 'Overdue can only be searched as true or false.'),
    ('service_desk', 'crm.service.request', 'create', [{'partner_id': '$shop'}],
     'ValidationError', 'The operation cannot be completed'),
    ('service_desk', 'crm.service.request', 'write', [['$complaint'], {'rating': 'five'}],
     'ValidationError', "Customer Rating: 'five' is not a whole number."),
    ('service_desk', 'crm.service.request', 'create', [{
        'name': 'Month 13', 'partner_id': '$shop', 'date_received': '2026-13-45 10:00:00'}],
     'ValidationError',
     "Received: '2026-13-45 10:00:00' is not a date and time: give it as YYYY-MM-DD HH:MM:SS."),
    ('service_desk', 'crm.service.request', 'create', [{
        'name': 'A dict', 'partner_id': '$shop', 'request_type': {'type': 'complaint'}}],
     'ValidationError', "Type: {'type': 'complaint'} is not one of 'complaint', 'inquiry',"),
    ('service_desk', 'crm.service.request', 'create', [{
        'name': 'Too urgent', 'partner_id': '$shop', 'priority': 5}],
     'ValidationError', "Priority: 5 is not one of '0', '1', '2', '3'."),
    ('service_desk', 'crm.service.request', 'create', [{
        'name': 'By name', 'partner_id': 'Bad Input Shop'}],
     'ValidationError', "Customer: 'Bad Input Shop' is not a record id."),
    ('service_desk', 'crm.service.request', 'create', [{
        'name': ['A', 'list'], 'partner_id': '$shop'}],
     'ValidationError', "Subject: ['A', 'list'] is not text."),
    ('service_desk', 'crm.service.request', 'create', [{
        'name': 'Lost visit', 'partner_id': '$shop', 'visit_id': MISSING}],
     'ValidationError', 'The operation cannot be completed'),
    ('service_desk', 'crm.service.request', 'action_respond', [[MISSING]],
     'MissingError', 'Record does not exist or has been deleted'),
    ('sales_manager', 'crm.service.request.stage', 'create', [{'name': False}],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.service.request.stage', 'unlink', [['$stage_closed']],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.service.request.stage', 'create', [{
        'name': 'Word', 'sequence': 'first'}],
     'ValidationError', "Sequence: 'first' is not a whole number."),

    # -- crm_service: delivery --------------------------------------------------------
    ('delivery', 'stock.picking', 'action_delivery_delivered', [['$picking_done']],
     'UserError', 'is already done'),
    ('delivery', 'stock.picking', 'action_delivery_partial', [['$picking_open']],
     'UserError', 'Enter the delivered quantities of'),
    ('delivery', 'stock.picking', 'action_delivery_replan', [['$picking_open']],
     'UserError', 'Only failed deliveries can be planned again'),
    ('delivery', 'stock.picking', 'action_delivery_failed', [['$picking_loose']],
     'UserError', 'is not in a route delivery batch: plan the deliveries first'),
    ('delivery', 'stock.picking', 'write', [['$picking_open'], {
        'delivery_outcome': 'delivered'}],
     'AccessError', "Delivery outcomes are recorded with the stop's buttons"),
    ('delivery', 'stock.picking', 'action_delivery_delivered', [[MISSING]],
     'MissingError', 'Record does not exist or has been deleted'),
    ('delivery', 'crm.delivery.fail', 'action_confirm', [['$fail_loose']],
     'UserError', 'is not in a route delivery batch'),
    ('delivery', 'crm.delivery.fail', 'create', [{'picking_ids': [(6, 0, ['$picking_open'])]}],
     'ValidationError', 'The operation cannot be completed'),
    ('delivery', 'crm.delivery.fail', 'create', [{
        'picking_ids': [(6, 0, ['$picking_open'])], 'reason_id': MISSING}],
     'ValidationError', 'The operation cannot be completed'),
    ('delivery', 'crm.delivery.plan', 'action_plan', [['$delivery_plan']],
     'AccessError', 'Only delivery managers can plan route deliveries.'),
    ('sales_manager', 'crm.delivery.plan', 'create', [{'delivery_date': '2026-13-45'}],
     'ValidationError', "Delivery Date: '2026-13-45' is not a date: give it as YYYY-MM-DD."),
    ('sales_manager', 'crm.delivery.failure.reason', 'create', [{
        'name': 'Word', 'sequence': 'first'}],
     'ValidationError', "Sequence: 'first' is not a whole number."),
    ('sales_manager', 'crm.delivery.failure.reason', 'write', [[MISSING], {'code': 'X'}],
     'MissingError', 'been deleted'),

    # -- crm_lifecycle ------------------------------------------------------------------
    ('sales_manager', 'crm.lifecycle.rule', 'create', [{
        'name': 'Bad', 'to_stage_id': '$decline', 'domain': "[('no_such_field', '=', 1)]"}],
     'ValidationError', "is not a valid domain on customers: Invalid field 'no_such_field'"),
    ('sales_manager', 'crm.lifecycle.rule', 'create', [{
        'name': 'Bad', 'to_stage_id': '$decline', 'domain': "[('name', 'like'"}],
     'ValidationError', 'is not a valid domain on customers'),
    ('sales_manager', 'crm.lifecycle.rule', 'create', [{
        'name': 'Bad', 'to_stage_id': '$decline', 'domain': "{'stage': 'decline'}"}],
     'ValidationError', 'is not a valid domain on customers'),
    ('sales_manager', 'crm.lifecycle.rule', 'create', [{
        'name': 'Bad', 'to_stage_id': '$decline', 'domain': "[('id', '=', 'abc')]"}],
     'ValidationError', 'is not a valid domain on customers: invalid input syntax'),
    ('sales_manager', 'crm.lifecycle.rule', 'write', [['$rule'], {
        'domain': "[('create_date', '>', 'last spring')]"}],
     'ValidationError', 'is not a valid domain on customers: invalid input syntax'),
    ('sales_manager', 'crm.lifecycle.rule', 'create', [{
        'name': 'Bad', 'to_stage_id': '$decline', 'min_gap_ratio': -1}],
     'ValidationError', 'Gap Ratio at Least of rule Bad cannot be negative.'),
    ('sales_manager', 'crm.lifecycle.rule', 'create', [{
        'name': 'Bad', 'to_stage_id': '$decline', 'activity_deadline_days': -1}],
     'ValidationError', 'The activity of rule Bad cannot be due in the past.'),
    ('sales_manager', 'crm.lifecycle.rule', 'write', [['$rule'], {'min_churn_risk': -5}],
     'ValidationError', 'cannot be negative'),
    ('sales_manager', 'crm.lifecycle.rule', 'create', [{
        'name': 'Bad', 'to_stage_id': '$decline', 'from_stage_ids': [(6, 0, ['$decline'])]}],
     'ValidationError', 'that stage cannot also be one of its from-stages'),
    ('sales_manager', 'crm.lifecycle.rule', 'create', [{
        'name': 'Bad', 'to_stage_id': '$decline', 'mail_template_id': '$template_other'}],
     'ValidationError', 'The mail template of rule Bad must be for customers'),
    ('sales_manager', 'crm.lifecycle.rule', 'create', [{'name': 'Bad'}],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.lifecycle.rule', 'create', [{
        'name': 'Bad', 'to_stage_id': '$decline', 'min_gap_ratio': 'high'}],
     'ValidationError', "Gap Ratio at Least: 'high' is not a number."),
    ('sales_manager', 'crm.lifecycle.rule', 'create', [{
        'name': 'Bad', 'to_stage_id': MISSING}],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.lifecycle.rule', 'action_preview', [[MISSING]],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.lifecycle.stage', 'create', [{'name': 'Twice', 'code': 'decline'}],
     'ValidationError', 'Each technical role belongs to one stage at most.'),
    ('sales_manager', 'crm.lifecycle.stage', 'unlink', [['$decline']],
     'UserError', 'Stage Decline cannot be deleted'),
    ('sales_manager', 'crm.lifecycle.stage', 'unlink', [['$stage_in_history']],
     'UserError', 'the lifecycle history refers to it'),
    ('sales_manager', 'crm.lifecycle.stage', 'create', [{'name': 'Retired', 'code': 'retired'}],
     'ValidationError', "Technical Role: 'retired' is not one of 'exploration', 'development',"),
    ('am1', 'crm.lifecycle.stage.change', 'action_apply', [['$change_blank']],
     'UserError', 'Give the reason for the change.'),
    ('am1', 'crm.lifecycle.stage.change', 'action_apply', [['$change_same']],
     'UserError', 'Bad Input Shop is already in stage Exploration'),
    ('am1', 'crm.lifecycle.stage.change', 'create', [{
        'partner_id': '$shop', 'stage_id': MISSING, 'reason': 'Lost'}],
     'ValidationError', 'The operation cannot be completed'),
    ('am1', 'res.partner', 'write', [['$shop'], {'lifecycle_stage_id': '$decline'}],
     'UserError', 'A manual lifecycle stage change needs a reason'),
    ('am1', 'res.partner', 'write', [['$shop'], {'lifecycle_stage_id': False}],
     'UserError', 'A customer cannot leave the lifecycle', {'lifecycle_reason': 'Out'}),
    ('am1', 'res.partner', 'write', [['$shop'], {'churn_risk': 5}],
     'UserError', 'Lifecycle metrics are computed, not entered: churn_risk.'),
    ('am1', 'res.partner', 'write', [['$shop'], {'lifecycle_stage_id': MISSING}],
     'ValidationError', 'The operation cannot be completed', {'lifecycle_reason': 'Lost'}),
    ('am1', 'res.partner', 'write', [['$shop'], {'lifecycle_stage_id': 'Decline'}],
     'ValidationError', "Lifecycle Stage: 'Decline' is not a record id.",
     {'lifecycle_reason': 'By name'}),
    ('am1', 'crm.lifecycle.event', 'create', [{
        'partner_id': '$shop', 'from_stage_id': '$decline', 'to_stage_id': '$stable',
        'reason': 'Rewritten past'}],
     'AccessError', 'Lifecycle history is written by stage changes, not by hand.'),
    ('am1', 'crm.lifecycle.event', 'create', [{
        'partner_id': MISSING, 'to_stage_id': '$stable', 'reason': 'Lost'}],
     'MissingError', 'Record does not exist or has been deleted'),

    # -- crm_kpi --------------------------------------------------------------------------
    ('sales_manager', 'crm.kpi.strategy', 'create', [{
        'tier_id': '$bt1', 'relationship_band': 'high', 'strategy': 'Twice'}],
     'ValidationError', 'A tier and relationship band have one strategy per company.'),
    ('sales_manager', 'crm.kpi.strategy', 'create', [{
        'tier_id': '$bt1', 'relationship_band': 'huge', 'strategy': 'Huge'}],
     'ValidationError', "Relationship: 'huge' is not one of 'low', 'medium', 'high'."),
    ('sales_manager', 'crm.kpi.strategy', 'create', [{
        'tier_id': '$bt1', 'relationship_band': 'low'}],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.kpi.strategy', 'create', [{
        'tier_id': MISSING, 'relationship_band': 'low', 'strategy': 'Lost'}],
     'ValidationError', 'The operation cannot be completed'),
    ('sales_manager', 'crm.kpi.section', 'write', [['$section'], {'model': 'res.users'}],
     'ValidationError', 'res.users is not a KPI report'),
    ('sales_manager', 'crm.kpi.section', 'write', [['$section'], {'model': 'no.such.report'}],
     'ValidationError', 'no.such.report is not a KPI report'),
    ('sales_manager', 'crm.kpi.section', 'write', [['$section'], {'code': False}],
     'ValidationError', 'The operation cannot be completed'),
    ('kpi_viewer', 'crm.kpi.workbook', 'action_export', [['$workbook_reversed']],
     'UserError', 'The period starts (2026-05-01) after it ends (2026-04-01).'),
    ('kpi_viewer', 'crm.kpi.workbook', 'action_export', [['$workbook_empty']],
     'UserError', 'Choose at least one section for the workbook.'),
    ('kpi_viewer', 'crm.kpi.workbook', 'create', [{
        'date_from': '2026-13-45', 'date_to': '2026-06-01'}],
     'ValidationError', "From: '2026-13-45' is not a date: give it as YYYY-MM-DD."),
    ('kpi_viewer', 'crm.kpi.workbook', 'create', [{
        'date_from': '2026-05-01', 'date_to': '2026-06-01', 'company_id': MISSING}],
     'ValidationError', 'The operation cannot be completed'),
    ('kpi_viewer', 'crm.kpi.workbook', 'action_export', [[MISSING]],
     'MissingError', 'Record does not exist or has been deleted'),
]

# CSV imports: (who, model, fields, good rows, bad rows with what their message says).
# Tier codes and customers by name, as a user types them; '$future' is a date.
IMPORTS = [
    ('am1', 'crm.tier.assignment', ['partner_id', 'tier_id', 'reason', 'expiry_date'],
     [['Bad Input Shop Two', 'BT2', 'Second shop opens', '$future'],
      ['Bad Input Shop Three', 'bt1', 'Chain store', '$future']],
     [(['Bad Input Shop Two', 'ZZ9', 'No such tier', '$future'],
       "No matching record found for name 'ZZ9' in field 'New Tier'"),
      (['Bad Input Shop Three', 'G99', 'Nor this one', '$future'],
       "No matching record found for name 'G99' in field 'New Tier'"),
      (['Bad Input Shop Two', 'BT2', 'Month 13', '2026-13-45'],
       "'2026-13-45' does not seem to be a valid date for field 'Expiry Date'")]),
    ('sales_manager', 'crm.tier.initial.rule', ['scheme_id', 'shop_size', 'tier_id'],
     [['Bad threshold', 'small', 'BT2']],
     [(['Bad threshold', 'medium', 'QQ'], "No matching record found for name 'QQ'"),
      (['Bad threshold', 'large', 'BPA'], 'is not a tier of scheme Bad threshold')]),
    ('sales_manager', 'crm.kpi.strategy', ['tier_id', 'relationship_band', 'strategy'],
     [['BT2', 'low', 'Visit monthly']],
     [(['XX', 'medium', 'Unknown tier'], "No matching record found for name 'XX'")]),
    ('sales_manager', 'crm.tier.member', ['partner_id', 'scheme_id', 'tier_id'],
     [],
     [(['Bad Input Shop', 'Bad threshold', 'BT1'],
       'you are not allowed to create this kind of document')]),
]


class World(object):
    """The server, admin, the demo users' sessions, the ids the cases name, and
    the fingerprint of every table the addons write."""

    def __init__(self, server):
        self.server = server
        self.admin = server.rpc('admin', 'admin')
        self.ids = {}
        self.sessions = {}
        self.stored_fields = {}
        self.conn = crmdb.connect(server.dbname)
        with self.conn.cursor() as cr:
            cr.execute(ADDON_TABLES, [crmdb.project_addons()])
            tables = sorted({row[0] for row in cr.fetchall()} | set(EXTRA_TABLES))
            cr.execute("SELECT table_name FROM information_schema.columns "
                       "WHERE column_name = 'write_date' AND table_name = ANY(%s)", [tables])
            dated = {row[0] for row in cr.fetchall()}
        self.fingerprint_query = sql.SQL(' UNION ALL ').join(
            sql.SQL('SELECT {name}, count(*), max(id), {date} FROM {table}').format(
                name=sql.Literal(table), table=sql.Identifier(table),
                date=sql.SQL('max(write_date)::text' if table in dated else 'NULL'))
            for table in tables)

    def session(self, login):
        if login not in self.sessions:
            self.sessions[login] = self.server.rpc(login)
        return self.sessions[login]

    def ref(self, xmlid):
        return self.admin('ir.model.data', 'xmlid_to_res_id', [xmlid])

    def make(self, model, vals, context=None):
        return self.admin(model, 'create', [vals], {'context': context or {}})

    def first(self, model, domain, rpc=None):
        ids = (rpc or self.admin)(model, 'search', [domain], {'limit': 1, 'order': 'id'})
        assert ids, 'no %s matches %s' % (model, domain)
        return ids[0]

    def read(self, model, record_id, fields):
        return self.admin(model, 'read', [[record_id], fields])[0]

    def resolve(self, value):
        """``value`` with each '$name' replaced by the id or date it stands for."""
        if isinstance(value, str) and value.startswith('$'):
            return self.ids[value[1:]]
        if isinstance(value, (list, tuple)):
            return type(value)(self.resolve(item) for item in value)
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        return value

    def fingerprint(self):
        with self.conn.cursor() as cr:
            cr.execute(self.fingerprint_query)
            return sorted(cr.fetchall())

    def state(self, model, method, args):
        """What a call could change: its records as admin reads them, then every
        table's rows."""
        if method in ('create', 'load'):
            own = self.admin(model, 'search_count', [[]], {'context': {'active_test': False}})
        elif method not in ('search', 'read') and args and isinstance(args[0], list):
            own = self.admin(model, 'read', [args[0], self._stored(model)],
                             {'context': {'active_test': False}})
        else:
            own = None
        return own, self.fingerprint()

    def _stored(self, model):
        if model not in self.stored_fields:
            described = self.admin(model, 'fields_get', [], {'attributes': ['store', 'type']})
            self.stored_fields[model] = sorted(
                name for name, field in described.items()
                if field.get('store') and field['type'] not in ('one2many', 'binary'))
        return self.stored_fields[model]


class Outcome(object):
    """What one call gave: an error class and its message, or 'no error' and the
    result."""

    def __init__(self, cls, message):
        self.cls, self.message = cls, message

    def __repr__(self):
        return '%s: %s' % (self.cls, str(self.message).strip().splitlines()[0][:200]
                           if str(self.message).strip() else '')


def _unwrap(text):
    """The message of an Odoo exception sent as its arguments' repr."""
    text = text.strip()
    return ast.literal_eval(text)[0] if ARGS_REPR.match(text) else text


def read_fault(fault):
    text = fault.faultString
    if fault.faultCode in FAULT_CODES:
        if fault.faultCode == 2 and ARGS_REPR.match(text.strip()):
            return Outcome('MissingError', _unwrap(text))
        return Outcome(FAULT_CODES[fault.faultCode], _unwrap(text))
    # A traceback (the last one, when the error was raised while handling another).
    lines = text.rstrip().splitlines()
    if not any(line.startswith('  File "') for line in lines):
        return Outcome('fault %d' % fault.faultCode, text)
    tail = max(i for i, line in enumerate(lines) if line.startswith('  File "'))
    head = next(i for i in range(tail + 1, len(lines)) if not lines[i].startswith(' '))
    name, _sep, message = '\n'.join(lines[head:]).partition(': ')
    outcome = Outcome(name.rsplit('.', 1)[-1], message)
    if name.startswith('odoo.exceptions.'):
        outcome.message = _unwrap(message)
        if outcome.message.startswith('Error while validating constraint'):
            outcome.cls = 'ConstraintCrash'  # a raw error inside a constraint
    return outcome


def attempt(call):
    try:
        return Outcome(NO_ERROR, call())
    except xmlrpc.client.Fault as fault:
        return read_fault(fault)


def company_today(world):
    company = world.read('res.users', world.admin.uid, ['company_id'])['company_id'][0]
    partner = world.read('res.company', company, ['partner_id'])['partner_id'][0]
    tz = world.read('res.partner', partner, ['tz'])['tz'] or 'UTC'
    return company, datetime.datetime.now(pytz.timezone(tz)).date()


def build_world(world):
    """The records the cases work on, made as admin (and as their users where the
    record is theirs: requests, wizards, the visit checked in)."""
    ids, make, ref = world.ids, world.make, world.ref
    company, today = company_today(world)
    yesterday = today - datetime.timedelta(days=1)
    ids.update({
        'company': company, 'today': str(today), 'past': str(yesterday),
        'past_unpadded': '%d-%d-%d' % (yesterday.year, yesterday.month, yesterday.day),
        'later': str(today + datetime.timedelta(days=3)),
        'future': str(today + datetime.timedelta(days=30)),
        'unit': ref('product.product_uom_unit'), 'kg': ref('product.product_uom_kgm'),
        'categ': ref('product.product_category_all'),
    })
    users = world.admin('res.users', 'search_read', [[('login', 'in', [
        'am1', 'delivery', 'sales_manager', 'order_desk'])]], {'fields': ['login']})
    ids.update({'user_' + user['login']: user['id'] for user in users})
    am1 = ids['user_am1']
    ids['beer'] = make('product.product', {
        'name': 'Bad Input Beer', 'type': 'consu', 'uom_id': ids['unit'],
        'uom_po_id': ids['unit'], 'list_price': 10, 'taxes_id': [(6, 0, [])]})

    def shop(name):
        return make('res.partner', {'name': name, 'customer': True, 'is_company': True,
                                    'company_id': company, 'user_id': am1})
    ids.update(shop=shop('Bad Input Shop'), shop2=shop('Bad Input Shop Two'),
               shop3=shop('Bad Input Shop Three'))
    _tiering(world)
    _service(world, today)
    _lifecycle(world)
    _kpi(world)
    return world


def _tier_ids(world, scheme):
    return {tier['code']: tier['id'] for tier in world.admin(
        'crm.tier', 'search_read', [[('scheme_id', '=', scheme)]], {'fields': ['code']})}


def _tiering(world):
    ids, make = world.ids, world.make
    ids['policy'] = make('crm.tier.policy', {'name': 'Bad policy'})
    ids['threshold'] = make('crm.tier.scheme', {
        'name': 'Bad threshold', 'method': 'threshold', 'metric': 'revenue', 'tier_ids': [
            (0, 0, {'name': 'Bad top', 'code': 'BT1', 'rank': 1, 'lower_bound': 1e6,
                    'policy_id': ids['policy']}),
            (0, 0, {'name': 'Bad low', 'code': 'BT2', 'rank': 2, 'lower_bound': 1e3})]})
    ids['pareto'] = make('crm.tier.scheme', {
        'name': 'Bad pareto', 'method': 'pareto', 'tier_ids': [
            (0, 0, {'name': 'Bad A', 'code': 'BPA', 'rank': 1, 'share': 80}),
            (0, 0, {'name': 'Bad B', 'code': 'BPB', 'rank': 2, 'share': 20})]})
    ids['grid'] = make('crm.tier.scheme', {
        'name': 'Bad grid', 'method': 'grid', 'metric': 'revenue', 'band_ids': [
            (0, 0, {'axis': 'volume', 'lower_bound': 0}),
            (0, 0, {'axis': 'volume', 'lower_bound': 100}),
            (0, 0, {'axis': 'unit', 'lower_bound': 0})]})
    world.admin('crm.tier.scheme', 'action_generate_grid_tiers', [[ids['grid']]])
    for band in world.admin('crm.tier.band', 'search_read', [[('scheme_id', '=', ids['grid'])]],
                            {'fields': ['axis', 'lower_bound']}):
        if band['axis'] == 'unit':
            ids['band_unit'] = band['id']
        elif band['lower_bound']:
            ids['band_volume_high'] = band['id']
    ids['empty'] = make('crm.tier.scheme', {'name': 'Bad empty'})
    tiers = dict(_tier_ids(world, ids['threshold']), **_tier_ids(world, ids['pareto']))
    ids.update({code.lower(): tier for code, tier in tiers.items()})
    ids['quota'] = make('crm.tier.quota', {
        'policy_id': ids['policy'], 'product_id': ids['beer'], 'period': 'week',
        'max_qty': 10, 'uom_id': ids['unit']})
    ids['period'] = make('crm.tier.excluded.period', {
        'name': 'Bad festival', 'date_from': '2020-02-01', 'date_to': '2020-02-10'})
    # Override requests: am1's pending one, the manager's own, one rejected.
    am1, manager = world.session('am1'), world.session('sales_manager')

    def request(rpc, shop, tier):
        return rpc('crm.tier.assignment', 'create', [{
            'partner_id': ids[shop], 'tier_id': ids[tier], 'reason': 'Bad input set-up',
            'expiry_date': ids['future']}])
    ids['request'] = request(am1, 'shop', 'bt1')
    ids['request_by_manager'] = request(manager, 'shop2', 'bt1')
    ids['request_rejected'] = request(am1, 'shop3', 'bt1')
    manager('crm.tier.assignment', 'action_reject', [[ids['request_rejected']]])
    # An order over its weekly quota: a shop in a tier of the primary scheme,
    # whose policy allows 5 Bad Input Beer a week.
    tier = world.admin('crm.tier', 'search_read', [[
        ('scheme_id.is_primary', '=', True), ('company_id', '=', ids['company']),
        ('policy_id', '!=', False)]], {'fields': ['scheme_id', 'policy_id'], 'limit': 1})[0]
    make('crm.tier.quota', {'policy_id': tier['policy_id'][0], 'product_id': ids['beer'],
                            'period': 'week', 'max_qty': 5, 'uom_id': ids['unit']})
    quota_shop = make('res.partner', {'name': 'Bad Input Quota Shop', 'customer': True,
                                      'is_company': True, 'company_id': ids['company']})
    make('crm.tier.member', {'partner_id': quota_shop, 'scheme_id': tier['scheme_id'][0],
                             'tier_id': tier['id'], 'company_id': ids['company']})
    ids['order_over_quota'] = world.session('order_desk')('sale.order', 'create', [{
        'partner_id': quota_shop, 'order_line': [(0, 0, {
            'product_id': ids['beer'], 'product_uom_qty': 8, 'price_unit': 10,
            'tax_id': [(6, 0, [])]})]}])


def _service(world, today):
    ids, make, first = world.ids, world.make, world.first
    am1, desk = world.session('am1'), world.session('service_desk')
    ids['route'] = make('crm.visit.route', {
        'code': 'BX1', 'name': 'Bad route', 'user_id': ids['user_am1'], 'visit_mon': True,
        'driver_id': ids['user_delivery'],
        'depot_id': ids['shop3'],  # a depot without coordinates
        'stop_ids': [(0, 0, {'partner_id': ids['shop'], 'sequence': 1})]})
    ids['visit_later'] = make('crm.visit', {
        'partner_id': ids['shop'], 'route_id': ids['route'], 'user_id': ids['user_am1'],
        'date': ids['later']})
    ids['visit_today'] = make('crm.visit', {
        'partner_id': ids['shop2'], 'route_id': ids['route'], 'user_id': ids['user_am1'],
        'date': str(today)})
    am1('crm.visit', 'action_check_in', [[ids['visit_today']]])
    ids['shelf'] = am1('crm.visit.shelf.line', 'create', [{
        'visit_id': ids['visit_today'], 'product_id': ids['beer'], 'quantity': 4}])
    ids['plan_30_weeks'] = am1('crm.visit.plan', 'create', [{'weeks': 30}])
    ids['stage_closed'] = first('crm.service.request.stage', [('is_closed', '=', True)])
    ids['complaint'] = desk('crm.service.request', 'create', [{
        'name': 'Bad input complaint', 'partner_id': ids['shop'],
        'request_type': 'complaint'}])
    ids['order_other'] = first('sale.order', [('partner_id', 'not in', [
        ids['shop'], ids['shop2'], ids['shop3']])])
    # Delivery: the order of a shop on the route, planned into tomorrow's batch of
    # the route's driver; the order of a shop on no route, in no batch; a done one.
    ids['picking_open'], ids['picking_loose'] = [_delivery_order(world, shop)
                                                 for shop in ('shop', 'shop3')]
    plan = make('crm.delivery.plan', {'delivery_date': str(today + datetime.timedelta(days=1)),
                                      'route_ids': [(6, 0, [ids['route']])]})
    world.admin('crm.delivery.plan', 'action_plan', [[plan]])
    delivery = world.session('delivery')
    assert delivery('stock.picking', 'read', [[ids['picking_open']], ['batch_id']])[0][
        'batch_id'], 'the route\'s order was not planned'
    ids['picking_done'] = first('stock.picking', [
        ('picking_type_code', '=', 'outgoing'), ('state', '=', 'done')], delivery)
    reason = first('crm.delivery.failure.reason', [])
    ids['fail_loose'] = delivery('crm.delivery.fail', 'create', [{
        'picking_ids': [(6, 0, [ids['picking_loose']])], 'reason_id': reason}])
    ids['delivery_plan'] = delivery('crm.delivery.plan', 'create', [{}])


def _delivery_order(world, shop):
    """The delivery order of a confirmed sale of a Bad Input Beer to ``shop``."""
    order = world.make('sale.order', {'partner_id': world.ids[shop], 'order_line': [(0, 0, {
        'product_id': world.ids['beer'], 'product_uom_qty': 1, 'price_unit': 10,
        'tax_id': [(6, 0, [])]})]})
    world.admin('sale.order', 'action_confirm', [[order]])
    return world.read('sale.order', order, ['picking_ids'])['picking_ids'][0]


def _lifecycle(world):
    ids, make = world.ids, world.make
    stages = world.admin('crm.lifecycle.stage', 'search_read', [[('code', '!=', False)]],
                         {'fields': ['code']})
    ids.update({stage['code']: stage['id'] for stage in stages})
    ids['rule'] = make('crm.lifecycle.rule', {
        'name': 'Bad rule', 'to_stage_id': ids['decline'], 'active': False})
    ids['template_other'] = world.first('mail.template', [('model', '!=', 'res.partner')])
    # A stage nobody is in any more, that the history still names.
    ids['stage_in_history'] = make('crm.lifecycle.stage', {'name': 'Bad passing stage'})
    for stage in ('stage_in_history', 'exploration'):
        world.admin('res.partner', 'write', [[ids['shop3']], {'lifecycle_stage_id': ids[stage]}],
                    {'context': {'lifecycle_reason': 'Bad input set-up'}})
    world.admin('res.partner', 'write', [[ids['shop']], {
        'lifecycle_stage_id': ids['exploration']}],
        {'context': {'lifecycle_reason': 'Bad input set-up'}})
    am1 = world.session('am1')
    change = {'partner_id': ids['shop'], 'stage_id': ids['decline'], 'reason': '  '}
    ids['change_blank'] = am1('crm.lifecycle.stage.change', 'create', [change])
    ids['change_same'] = am1('crm.lifecycle.stage.change', 'create', [dict(
        change, stage_id=ids['exploration'], reason='Again')])


def _kpi(world):
    ids, make = world.ids, world.make
    make('crm.kpi.strategy', {'tier_id': ids['bt1'], 'relationship_band': 'high',
                              'strategy': 'Bad input set-up'})
    ids['section'] = world.first('crm.kpi.section', [])
    viewer = world.session('kpi_viewer')
    ids['workbook_reversed'] = viewer('crm.kpi.workbook', 'create', [{
        'date_from': '2026-05-01', 'date_to': '2026-04-01'}])
    ids['workbook_empty'] = viewer('crm.kpi.workbook', 'create', [{
        'date_from': '2026-04-01', 'date_to': '2026-05-01', 'section_ids': [(6, 0, [])]}])


@pytest.fixture(scope='module')
def server(demo_template):
    # PostgreSQL's refusals are logged as bad queries: test_the_log_holds_no_other_error.
    with demo_server(demo_template, 'crm_test_bad_input', 'bad-input', PREFORK,
                     clean_log=False) as odoo:
        yield odoo


@pytest.fixture(scope='module')
def world(server):
    REPORT.write_text('')
    world = build_world(World(server))
    yield world
    world.conn.close()


def report(capsys, text):
    """Show the figures in pytest's output (even with -q) and keep them in var/log."""
    with capsys.disabled():
        print('\n' + text)
    with open(str(REPORT), 'a') as log:
        log.write(text + '\n')


def _check(case, lang, outcome, english):
    """What is wrong with ``outcome`` of ``case`` in ``lang`` (None: nothing)."""
    expected, text = case[4], case[5]
    if outcome.cls != expected:
        return 'expected %s, got %r' % (expected, outcome)
    if expected == NO_ERROR:
        return None if repr(outcome.message) == text else 'returned %r' % outcome.message
    if lang == 'en_US' and text not in outcome.message:
        return 'message lacks %r: %r' % (text, outcome)
    if lang == 'zh_CN' and expected in CLEAR and outcome.message == english:
        return 'untranslated: %r' % outcome
    return None


def run_case(world, case):
    """Try ``case`` in English, then in Chinese: (English outcome, problems, partial)."""
    who, model, method, args, expected = case[:5]
    context = case[6] if len(case) > 6 else {}
    args = world.resolve(args)
    rpc = world.session(who)
    problems, partial, english = [], False, None
    for lang in LANGS:
        before = world.state(model, method, args)
        outcome = attempt(lambda: rpc(model, method, args, {
            'context': dict(context, lang=lang)}))
        after = world.state(model, method, args)
        if after != before:
            partial = True
            problems.append('%s: wrote %s (%r)' % (lang, _changes(before, after), outcome))
        problem = _check(case, lang, outcome, english and english.message)
        if problem:
            problems.append('%s: %s' % (lang, problem))
        english = english or outcome
    return english, problems, partial


def test_bad_input_gets_a_clear_error_and_writes_nothing(world, capsys):
    failures, partial, counts, core = [], 0, {}, []
    for case in CASES:
        outcome, problems, wrote = run_case(world, case)
        partial += wrote
        counts[case[4]] = counts.get(case[4], 0) + 1
        if case[4] not in CLEAR:
            core.append('%s %s.%s %s: %r' % (
                case[0], case[1], case[2], _short(case[3]), outcome))
        failures += ['%s %s.%s %s: %s' % (case[0], case[1], case[2], _short(case[3]), problem)
                     for problem in problems]
    models = {case[1] for case in CASES}
    clear = sum(counts.get(name, 0) for name in CLEAR)
    report(capsys, 'bad input: %d cases over %d models as %d users, each in English and '
           'Chinese: %d clear, translated errors (%s), %d without an error from Odoo itself '
           '(an unknown id read or deleted), %d partial writes' % (
               len(CASES), len(models), len({case[0] for case in CASES}), clear,
               ', '.join('%d %s' % (counts[name], name) for name in CLEAR if name in counts),
               len(core), partial))
    with open(str(REPORT), 'a') as log:
        log.write('Odoo core answers (left as they are):\n%s\n' % '\n'.join(core))
    assert not failures, '%d problems:\n%s' % (len(failures), '\n'.join(failures))


def _changes(before, after):
    """Where two states differ: the records read, the tables counted."""
    changed = ['the records read'] if before[0] != after[0] else []
    return ', '.join(changed + ['%s %s -> %s' % (old[0], old[1:], new[1:])
                                for old, new in zip(before[1], after[1]) if old != new])


def _short(args):
    return repr(args)[:120]


IMPORT_OPTIONS = {'quoting': '"', 'separator': ',', 'headers': True, 'encoding': 'utf-8'}


def _errors(messages):
    """{row index: [messages]} of the errors of a load or an import."""
    rows = {}
    for message in messages:
        if message['type'] == 'error':
            rows.setdefault(message.get('record'), []).append(message['message'])
    return rows


def _check_refused(messages, good, bad):
    """What is wrong with an import's messages: each bad row (after the good ones)
    has an error saying what it should, no good row has one."""
    errors, problems = _errors(messages), []
    for index, (_row, text) in enumerate(bad, len(good)):
        if not any(text in message for message in errors.get(index, [])):
            problems.append('row %d: %r lacks %r' % (index, errors.get(index), text))
    wrong = set(errors) - set(range(len(good), len(good) + len(bad)))
    if wrong:
        problems.append('errors on good rows %s: %r' % (sorted(wrong), errors))
    return problems


def test_imports_with_bad_tier_codes_import_nothing(world, capsys):
    """Each file, with good rows first and bad rows after, is imported by load()
    and by base_import as the web client does (create with the file, then do):
    every bad row gets its message, and nothing at all is imported. The good rows
    alone import (base_import's dry run, then load for real, undone as admin)."""
    failures, rows, refused, imported = [], 0, 0, 0
    english = {'context': {'lang': 'en_US'}}
    for who, model, fields, good, bad in IMPORTS:
        rpc = world.session(who)
        good = world.resolve(good)
        bad = [(world.resolve(row), text) for row, text in bad]
        data = good + [row for row, _text in bad]
        rows += len(data)
        refused += len(bad)
        before = world.state(model, 'load', [])
        result = rpc(model, 'load', [fields, data], english)
        if result['ids'] is not False or world.state(model, 'load', []) != before:
            failures.append('%s load imported %r' % (model, result['ids']))
        failures += ['%s load %s' % (model, problem)
                     for problem in _check_refused(result['messages'], good, bad)]
        for rows_in_file, dryrun in ([data, False], [good, True]):
            if not rows_in_file:
                continue
            csv = '\n'.join(','.join(row) for row in [fields] + rows_in_file) + '\n'
            wizard = rpc('base_import.import', 'create', [{
                'res_model': model, 'file': csv, 'file_name': 'bad_tier_codes.csv',
                'file_type': 'text/csv'}])
            before = world.state(model, 'load', [])
            messages = rpc('base_import.import', 'do', [[wizard], fields, IMPORT_OPTIONS,
                                                        dryrun], english)
            expected = bad if not dryrun else []
            failures += ['%s import%s %s' % (model, ' (dry run)' if dryrun else '', problem)
                         for problem in _check_refused(messages, good, expected)]
            if world.state(model, 'load', []) != before:
                failures.append('%s import%s wrote something' % (
                    model, ' (dry run)' if dryrun else ''))
        if good:
            result = rpc(model, 'load', [fields, good], english)
            if len(result['ids'] or []) != len(good):
                failures.append('%s: the good rows alone did not import: %r' % (
                    model, result['messages']))
            imported += len(result['ids'] or [])
            world.admin(model, 'unlink', [result['ids'] or []])
    report(capsys, 'imports: %d files (%s) by load() and base_import, %d rows, %d bad '
           '(unknown tier codes, a tier of another scheme, an impossible date, no right '
           'to import): each refused with its message, 0 rows imported; the good rows '
           'alone import (%d)' % (
               len(IMPORTS), ', '.join(model for _who, model, *_rest in IMPORTS), rows,
               refused, imported))
    assert not failures, '\n'.join(failures)


def test_the_log_holds_no_other_error(world):
    """No case crashed: the only errors logged are the statements PostgreSQL
    refused (a required value missing, a record that does not exist), as bad
    queries."""
    bad = crmdb.bad_log_lines(world.server.log())
    assert all(' odoo.sql_db: bad query' in line for line in bad), bad
