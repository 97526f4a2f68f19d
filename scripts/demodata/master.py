"""Master data of the demo company, created through the ORM: users per role,
districts, retailers with coordinates, product categories, products."""
import collections

# (district, latitude, longitude) of the ten districts served, one route each.
DISTRICTS = [
    ('上城区', 30.2425, 120.1694), ('拱墅区', 30.3197, 120.1417),
    ('西湖区', 30.2595, 120.1300), ('滨江区', 30.2083, 120.2110),
    ('萧山区', 30.1850, 120.2646), ('余杭区', 30.2870, 119.9830),
    ('临平区', 30.4194, 120.2996), ('钱塘区', 30.3170, 120.4930),
    ('富阳区', 30.0488, 119.9600), ('临安区', 30.2330, 119.7247),
]
STREETS = ['文一路', '莫干山路', '延安路', '解放路', '凤起路', '庆春路', '江南大道', '人民路',
           '西溪路', '体育场路', '湖墅南路', '建国路', '秋涛路', '天目山路', '文三路', '之江路',
           '金城路', '市心路', '迎宾路', '临丁路']
SHOP_WORDS = ['鑫源', '惠民', '万家', '金桥', '福满', '好又多', '佳和', '百顺', '永兴', '和美',
              '聚源', '兴隆', '四季', '阳光', '平安', '诚信', '悦来', '旺角', '老王', '老李',
              '张记', '刘姐', '陈记', '小周', '阿强', '赵家', '孙记', '吴家', '德胜', '汇丰',
              '福源', '利民', '嘉乐', '百佳', '喜乐', '长青', '新华', '大众', '同心', '家家乐',
              '美宜', '益民', '万福', '金鼎', '宏达', '隆兴', '富源', '康乐', '顺发', '如意']
SHOP_FORMATS = ['便利店', '超市', '烟酒商行', '食杂店', '副食店', '便民店']

# category: [(product, list price, cost)]
PRODUCTS = collections.OrderedDict([
    ('饮料', [('农夫山泉 550ml×24', 36.0, 27.5), ('可口可乐 330ml×24', 52.0, 41.0),
            ('康师傅冰红茶 500ml×15', 45.0, 35.0), ('王老吉 310ml×24', 88.0, 70.0),
            ('红牛 250ml×24', 130.0, 108.0), ('统一绿茶 500ml×15', 42.0, 32.5),
            ('椰树椰汁 245ml×24', 78.0, 61.0)]),
    ('休闲食品', [('乐事薯片 70g×20', 96.0, 76.0), ('旺旺雪饼 150g×12', 66.0, 51.0),
              ('奥利奥 97g×24', 118.0, 95.0), ('卫龙辣条 106g×20', 58.0, 44.0),
              ('好丽友派 6枚×12', 120.0, 97.0), ('徐福记糖果 500g×10', 150.0, 121.0),
              ('三只松鼠坚果 500g×6', 210.0, 172.0)]),
    ('粮油调味', [('金龙鱼调和油 5L×4', 268.0, 226.0), ('五常大米 10kg', 89.0, 72.0),
              ('海天酱油 1.9L×6', 96.0, 77.0), ('太太乐鸡精 454g×10', 135.0, 110.0),
              ('老干妈 280g×12', 118.0, 95.0), ('恒顺香醋 500ml×12', 72.0, 56.0),
              ('中盐精制盐 400g×40', 80.0, 64.0)]),
    ('日化用品', [('心相印纸巾 10包×10', 99.0, 79.0), ('立白洗衣粉 1.6kg×6', 108.0, 86.0),
              ('舒肤佳香皂 115g×24', 156.0, 127.0), ('高露洁牙膏 140g×24', 198.0, 162.0),
              ('蓝月亮洗手液 500g×12', 168.0, 136.0), ('洁柔卷纸 10卷×6', 132.0, 107.0)]),
    ('酒类', [('青岛啤酒 500ml×12', 66.0, 52.0), ('雪花勇闯天涯 500ml×12', 60.0, 47.0),
            ('百威啤酒 500ml×12', 96.0, 78.0), ('牛栏山二锅头 500ml×12', 240.0, 198.0),
            ('古越龙山黄酒 500ml×12', 216.0, 175.0), ('洋河海之蓝 520ml×6', 780.0, 660.0),
            ('五粮液 500ml×1', 1099.0, 960.0)]),
    ('乳制品', [('伊利纯牛奶 250ml×24', 66.0, 53.0), ('蒙牛特仑苏 250ml×12', 65.0, 52.5),
             ('养乐多 100ml×50', 110.0, 88.0), ('光明莫斯利安 200g×12', 70.0, 56.0),
             ('旺仔牛奶 245ml×24', 120.0, 96.0), ('安慕希酸奶 205g×12', 68.0, 54.5)]),
])

FIELD_ROLE = ['crm_tiering.group_tiering_user', 'crm_service.group_service_user',
              'crm_lifecycle.group_lifecycle_user']
# login: (name, language, groups); the demo password is the login.
USERS = [
    ('sales_manager', '周经理', 'zh_CN', [
        'sales_team.group_sale_manager', 'stock.group_stock_manager',
        'account.group_account_invoice', 'crm_tiering.group_tiering_manager',
        'crm_service.group_service_manager', 'crm_lifecycle.group_lifecycle_manager',
        'crm_kpi.group_kpi_manager']),
    ('am1', '王建国', 'zh_CN', FIELD_ROLE),
    ('am2', '李秀英', 'zh_CN', FIELD_ROLE),
    ('am3', '张伟', 'zh_CN', FIELD_ROLE),
    ('am4', '刘洋', 'zh_CN', FIELD_ROLE),
    ('am5', '陈静', 'zh_CN', FIELD_ROLE),
    # The order desk takes every shop's orders, whoever the shop's account manager is.
    ('order_desk', 'Order Desk 赵敏', 'en_US', ['crm_tiering.group_tiering_user',
                                              'sales_team.group_sale_salesman_all_leads']),
    ('delivery', '孙师傅', 'zh_CN', ['crm_service.group_service_delivery']),
    ('service_desk', 'Service Desk 吴芳', 'en_US', ['crm_service.group_service_agent']),
    ('kpi_viewer', 'KPI Viewer 郑强', 'en_US', ['crm_kpi.group_kpi_user']),
    ('compliance', '冯稽查', 'zh_CN', ['crm_tiering.group_tiering_user',
                                    'crm_tiering.group_tiering_compliance']),
    ('finance', 'Finance 何会计', 'en_US', ['account.group_account_manager']),
]
ACCOUNT_MANAGERS = ['am1', 'am2', 'am3', 'am4', 'am5']

Master = collections.namedtuple('Master', 'users partners products districts')


def create_users(env):
    users = {}
    Users = env['res.users'].with_context(no_reset_password=True, tracking_disable=True)
    team = env.ref('sales_team.team_sales_department')
    for login, name, lang, groups in USERS:
        group_ids = [env.ref('base.group_user').id] + [env.ref(g).id for g in groups]
        users[login] = Users.create({
            'name': name, 'login': login, 'password': login, 'lang': lang,
            'tz': 'Asia/Shanghai', 'email': '%s@hualian-demo.cn' % login,
            'groups_id': [(6, 0, group_ids)], 'sale_team_id': team.id,
        })
        # Staff are not customers (Odoo makes every new partner one).
        users[login].partner_id.customer = False
    team.write({'name': '访销部', 'user_id': users['sales_manager'].id,
                'member_ids': [(6, 0, [users[login].id for login in ACCOUNT_MANAGERS])]})
    return users


def create_products(env):
    products = []
    Product = env['product.product'].with_context(tracking_disable=True)
    for c_index, (category, items) in enumerate(PRODUCTS.items(), start=1):
        categ = env['product.category'].create({
            'name': category, 'parent_id': env.ref('product.product_category_all').id})
        for p_index, (name, price, cost) in enumerate(items, start=1):
            products.append(Product.create({
                'name': name, 'type': 'product', 'categ_id': categ.id,
                'default_code': 'P%d%02d' % (c_index, p_index),
                'barcode': '69%02d%02d%07d' % (c_index, p_index, 1000 + len(products)),
                'list_price': price, 'standard_price': cost,
                'sale_ok': True, 'purchase_ok': True, 'invoice_policy': 'delivery',
            }))
    return products


def _shop_name(rng, used):
    for _ in range(100):
        name = rng.choice(SHOP_WORDS) + rng.choice(SHOP_FORMATS)
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError('ran out of shop names')


def create_partners(env, rng, count, users, customers):
    """``customers`` are the plan's profiles; slow payers get 30-day terms."""
    Partner = env['res.partner'].with_context(tracking_disable=True)
    Tag = env['res.partner.category']
    parent_tag = Tag.create({'name': '片区'})
    district_tags = [Tag.create({'name': d[0], 'parent_id': parent_tag.id}) for d in DISTRICTS]
    net30 = env.ref('account.account_payment_term_net')
    immediate = env.ref('account.account_payment_term_immediate')
    china = env.ref('base.cn')
    zhejiang = env['res.country.state'].search(
        [('country_id', '=', china.id), ('name', 'like', '浙江')], limit=1)
    used, partners = set(), []
    for index in range(count):
        d_index = index % len(DISTRICTS)
        district, lat, lng = DISTRICTS[d_index]
        manager = users[ACCOUNT_MANAGERS[d_index // 2]]
        partners.append(Partner.create({
            'name': _shop_name(rng, used), 'is_company': True, 'customer': True,
            'ref': 'R%04d' % (index + 1), 'lang': 'zh_CN',
            'street': '%s%d号' % (rng.choice(STREETS), rng.randint(1, 999)),
            'street2': district, 'city': '杭州市', 'zip': '3100%02d' % (d_index + 10),
            'state_id': zhejiang.id, 'country_id': china.id,
            'phone': '0571-8%03d%04d' % (rng.randint(0, 999), rng.randint(0, 9999)),
            'mobile': '13%d%08d' % (rng.randint(0, 9), rng.randint(0, 99999999)),
            'partner_latitude': round(lat + rng.gauss(0, 0.015), 6),
            'partner_longitude': round(lng + rng.gauss(0, 0.015), 6),
            'user_id': manager.id, 'team_id': env.ref('sales_team.team_sales_department').id,
            'category_id': [(6, 0, [district_tags[d_index].id])],
            'property_payment_term_id': (net30 if customers[index].slow_payer else immediate).id,
        }))
    return partners
