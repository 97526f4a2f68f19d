{
    'name': 'Customer Tiering',
    'summary': 'Customer value scoring, tier schemes and tier-driven service policies',
    'version': '11.0.0.1.0',
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
        'views/menus.xml',
    ],
    'installable': True,
    'application': False,
}
