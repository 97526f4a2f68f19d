{
    'name': 'Visit Sales and Delivery',
    'summary': 'Routes, tier-driven visit plans, visit sales, route delivery and service requests',
    'version': '11.0.0.2.0',
    'category': 'Sales',
    'license': 'LGPL-3',
    'author': 'CRM Tiering Suite',
    'depends': [
        'crm_tiering',
        'stock_picking_batch',
        'base_geolocalize',
        'web_responsive',
    ],
    'data': [
        'security/crm_service_security.xml',
        'security/ir.model.access.csv',
        'views/crm_visit_route_views.xml',
        'views/menus.xml',
    ],
    'installable': True,
    'application': False,
}
