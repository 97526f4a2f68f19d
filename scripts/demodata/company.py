"""The demo company: a distributor in Hangzhou, keeping books in CNY on the
Chinese small-business chart of accounts."""

COMPANY = {
    'name': '华联商贸配送有限公司',
    'street': '环城北路 88 号',
    'city': '杭州市',
    'zip': '310000',
    'phone': '+86 571 8888 6666',
    'email': 'service@hualian-demo.cn',
}
CHART = 'l10n_cn_small_business.l10n_chart_china_small_business'


def configure(env):
    """Runs before the accounting modules install, so that the chart of
    accounts installed for the company is the Chinese one, in CNY."""
    # Loading zh_CN at database creation leaves en_US inactive; staff use both.
    env.ref('base.lang_en').active = True
    cny = env.ref('base.CNY')
    cny.active = True
    company = env.ref('base.main_company')
    company.write(dict(COMPANY, country_id=env.ref('base.cn').id, currency_id=cny.id))
    # Business days (order weekdays, quota weeks, tier evaluations) are the company's.
    company.partner_id.tz = 'Asia/Shanghai'
    # Loading zh_CN at creation also made it the administrator's language.
    env.ref('base.user_root').write({'tz': 'Asia/Shanghai', 'lang': 'en_US'})


def check(env):
    company = env.ref('base.main_company')
    problems = []
    if company.currency_id != env.ref('base.CNY'):
        problems.append('currency is %s, not CNY' % company.currency_id.name)
    if company.partner_id.tz != 'Asia/Shanghai':
        problems.append('time zone is %s, not Asia/Shanghai' % company.partner_id.tz)
    if company.chart_template_id != env.ref(CHART, raise_if_not_found=False):
        problems.append('chart of accounts is %s' % company.chart_template_id.display_name)
    active = set(env['res.lang'].search([]).mapped('code'))
    if not {'en_US', 'zh_CN'} <= active:
        problems.append('active languages are %s, not en_US and zh_CN' % sorted(active))
    if problems:
        raise RuntimeError('demo company set-up: ' + '; '.join(problems))
