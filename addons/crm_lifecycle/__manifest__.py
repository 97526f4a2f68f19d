{
    'name': 'Customer Lifecycle',
    'summary': 'Configurable customer lifecycle workflow with early warning and history',
    'version': '11.0.0.1.0',
    'category': 'Sales',
    'license': 'LGPL-3',
    'author': 'CRM Tiering Suite',
    'depends': [
        'crm_service',
    ],
    'data': [
        'security/crm_lifecycle_security.xml',
        'views/menus.xml',
    ],
    'installable': True,
    'application': False,
}
