"""Tiering set-up of the demo company on top of its history: shop sizes,
account managers' scores, compliance classes, supply quotas, the tier
recompute the nightly job would run, and an override in each state."""
import datetime

# (product name, period, max per policy: key, core, basic)
QUOTAS = [
    ('五粮液 500ml×1', 'week', (6, 3, 1)),
    ('洋河海之蓝 520ml×6', 'month', (20, 10, 4)),
]
POLICIES = ('crm_tiering.policy_key', 'crm_tiering.policy_core', 'crm_tiering.policy_basic')
# The demo staff work in Chinese: zh_CN names of the demo schemes, tiers and policies.
ZH_NAMES = {
    'crm_tiering.policy_key': '重点客户服务',
    'crm_tiering.policy_core': '核心客户服务',
    'crm_tiering.policy_basic': '基础服务',
    'crm_tiering.scheme_abc': 'ABC 分级（按收入）',
    'crm_tiering.scheme_pyramid': '价值金字塔（按毛利）',
    'crm_tiering.scheme_grid': '30 档网格：销量 × 单位收入',
}
ZH_TIERS = {'A': '重点客户', 'B': '核心客户', 'C': '小客户', 'DIA': '钻石', 'GLD': '黄金',
            'SLV': '白银', 'IRN': '黑铁', 'LED': '铅'}


def configure(env, rng, customers, partners, users):
    _translate(env)
    for customer, partner in zip(customers, partners):
        partner.write({'shop_size': customer.size})
    for partner in rng.sample(partners, 20):
        partner.sudo(partner.user_id).write({'manager_score': rng.randint(40, 95)})
    officer = users['compliance']
    for partner in rng.sample(partners, 8):
        partner.sudo(officer).write({'compliance_class': rng.choice('BBBCCCW')})
    Product = env['product.product']
    for name, period, limits in QUOTAS:
        product = Product.search([('name', '=', name)], limit=1)
        for policy, limit in zip(POLICIES, limits):
            env['crm.tier.quota'].create({
                'policy_id': env.ref(policy).id, 'product_id': product.id, 'period': period,
                'max_qty': limit, 'uom_id': product.uom_id.id})
    env['crm.tier.scheme']._cron_recompute()
    _overrides(env, partners, users)


def _translate(env):
    for xmlid, name in ZH_NAMES.items():
        env.ref(xmlid).with_context(lang='zh_CN').write({'name': name})
    for tier in env['crm.tier'].search([]):
        # Grid grades are coded G01..G30.
        name = ZH_TIERS.get(tier.code) or '第 %d 档' % int(tier.code[1:])
        tier.with_context(lang='zh_CN').write({'name': name})


def _overrides(env, partners, users):
    """One approved override and one waiting for the sales manager."""
    abc = env.ref('crm_tiering.scheme_abc')
    tier_a = abc.tier_ids.filtered(lambda tier: tier.code == 'A')
    History = env['crm.tier.assignment']
    candidates = [p for p in partners if p.tier_id and p.tier_id != tier_a]
    expiry = str(datetime.date.today() + datetime.timedelta(days=60))
    approved = History.sudo(candidates[0].user_id).create({
        'partner_id': candidates[0].id, 'tier_id': tier_a.id, 'expiry_date': expiry,
        'reason': '新开第二家门店，预计进货量翻倍'})
    approved.sudo(users['sales_manager']).action_approve()
    History.sudo(candidates[1].user_id).create({
        'partner_id': candidates[1].id, 'tier_id': tier_a.id, 'expiry_date': expiry,
        'reason': '春节前备货，申请临时上调等级'})
