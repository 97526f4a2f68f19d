{
    'name': 'Customer KPI Reports',
    'summary': 'KPI reports over sales, visits, delivery, service, lifecycle, stock, accounting',
    'version': '11.0.1.0.0',
    'category': 'Sales',
    'license': 'LGPL-3',
    'author': 'CRM Tiering Suite',
    'depends': [
        'crm_lifecycle',
    ],
    'data': [
        'security/crm_kpi_security.xml',
        'security/ir.model.access.csv',
        'data/crm_kpi_data.xml',
        'data/crm_kpi_cron.xml',
        'views/menus.xml',
        'views/crm_kpi_sales_views.xml',
        'views/crm_kpi_workbook_views.xml',
        'views/res_company_views.xml',
    ],
    'installable': True,
    'application': True,
}
