"""KPI set-up of the demo company: a strategy for each cell of the customer
difference matrix (value tier of the primary scheme × relationship band), a
category quota, a few failed deliveries and an order short of stock, so that every report has
figures."""
import datetime

from odoo import fields

STRATEGIES = {
    ('A', 'high'): '重点维护：保证货源和配送优先，每周拜访，邀请参加新品试销。',
    ('A', 'medium'): '深挖需求：客户经理每两周回访满意度，跟进投诉整改。',
    ('A', 'low'): '高价值预警：主管陪访，核对欠款与投诉，制定挽留方案。',
    ('B', 'high'): '培育升级：推荐畅销品扩充品类，争取进入重点客户。',
    ('B', 'medium'): '稳定服务：按计划拜访，关注订货间隔变化。',
    ('B', 'low'): '改善关系：处理未结投诉，督促按期付款。',
    ('C', 'high'): '低成本维护：电话访销为主，保持满意度。',
    ('C', 'medium'): '标准服务：按周期拜访，推荐组合订货提高单量。',
    ('C', 'low'): '控制风险：现款现货，减少上门频次。',
}


def configure(env):
    # A monthly category quota for the smallest shops, set after the history.
    dairy = env['product.category'].search([('name', '=', '乳制品')], limit=1)
    env['crm.tier.quota'].create({
        'policy_id': env.ref('crm_tiering.policy_basic').id, 'categ_id': dairy.id,
        'period': 'month', 'max_qty': 30, 'uom_id': env.ref('product.product_uom_unit').id})
    scheme = env.ref('crm_tiering.scheme_abc')
    tiers = {tier.code: tier for tier in scheme.tier_ids}
    for (code, band), text in STRATEGIES.items():
        env['crm.kpi.strategy'].create({
            'company_id': scheme.company_id.id, 'tier_id': tiers[code].id,
            'relationship_band': band, 'strategy': text})


def delivery_failures(env, today):
    """Yesterday's batch of the first route: one stop delivered, two failed (shop
    closed, owner absent) and waiting to be planned again."""
    route = env['crm.visit.route'].search([], order='code', limit=1)
    product = env['product.product'].search([('default_code', '=', 'P101')], limit=1)
    yesterday = today - datetime.timedelta(days=1)
    pickings = env['stock.picking']
    for shop in route.stop_ids.mapped('partner_id')[:3]:
        order = _confirmed_order(env, shop, product, 2, yesterday - datetime.timedelta(days=1))
        pickings |= order.picking_ids
    pickings.write({'scheduled_date': fields.Datetime.to_string(yesterday)})
    env['stock.picking.batch']._plan_route_deliveries(yesterday, route)
    closed = env.ref('crm_service.delivery_failure_shop_closed')
    absent = env.ref('crm_service.delivery_failure_owner_absent')
    pickings[0]._action_delivery_delivered()
    pickings[1]._action_delivery_failed(closed)
    pickings[2]._action_delivery_failed(absent, note='电话无人接听')


def short_stock_order(env, today):
    """A large order that the warehouse cannot fully reserve today."""
    product = env['product.product'].search([('default_code', '=', 'P102')], limit=1)
    shop = env['res.partner'].search([('tier_id.code', '=', 'A')], order='rfm_monetary desc',
                                     limit=1)
    _confirmed_order(env, shop, product, int(product.qty_available) + 12, today)


def _confirmed_order(env, shop, product, qty, day):
    """Confirmed on ``day``, or the latest day before it the shop may order on."""
    policy = shop._get_tier_policy(env.user.company_id)
    while policy and not policy.allows_weekday(day.weekday()):
        day -= datetime.timedelta(days=1)
    order = env['sale.order'].create({
        'partner_id': shop.id, 'date_order': fields.Datetime.to_string(day),
        'order_line': [(0, 0, {'product_id': product.id, 'product_uom_qty': qty})]})
    order.action_confirm()
    return order
