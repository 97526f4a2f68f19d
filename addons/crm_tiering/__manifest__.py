{
    'name': 'Customer Tiering',
    'summary': 'Customer value scoring, tier schemes and tier-driven service policies',
    'version': '11.0.0.2.0',
    'category': 'Sales',
    'license': 'LGPL-3',
    'author': 'CRM Tiering Suite',
    'depends': [
        'sale_management',
        'sale_margin',
        'sale_stock',
    ],
    'data': [
        'security/crm_tiering_security.xml',
        'security/ir.model.access.csv',
        'data/crm_tiering_data.xml',
        'views/res_partner_views.xml',
        'views/crm_tier_excluded_period_views.xml',
        'data/crm_tiering_actions.xml',
        'views/menus.xml',
    ],
    'installable': True,
    'application': False,
}
