"""KPI set-up of the demo company: a strategy for each cell of the customer
difference matrix (value tier of the primary scheme × relationship band)."""

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
    scheme = env.ref('crm_tiering.scheme_abc')
    tiers = {tier.code: tier for tier in scheme.tier_ids}
    for (code, band), text in STRATEGIES.items():
        env['crm.kpi.strategy'].create({
            'company_id': scheme.company_id.id, 'tier_id': tiers[code].id,
            'relationship_band': band, 'strategy': text})
