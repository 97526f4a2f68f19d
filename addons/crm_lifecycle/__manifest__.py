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
        'security/ir.model.access.csv',
        'data/crm_lifecycle_stage_data.xml',
        'views/crm_lifecycle_stage_views.xml',
        'views/crm_lifecycle_event_views.xml',
        'views/res_partner_views.xml',
        'wizards/crm_lifecycle_stage_change_views.xml',
        'data/crm_lifecycle_data.xml',
        'views/menus.xml',
    ],
    'installable': True,
    'application': False,
}
