{
    'name': 'Customer KPI Reports',
    'summary': 'KPI reports over sales, visits, delivery, service, lifecycle, stock, accounting',
    'version': '11.0.0.1.0',
    'category': 'Sales',
    'license': 'LGPL-3',
    'author': 'CRM Tiering Suite',
    'depends': [
        'crm_lifecycle',
        'report_xlsx',
    ],
    'data': [
        'security/crm_kpi_security.xml',
        'views/menus.xml',
    ],
    'installable': True,
    'application': False,
}
