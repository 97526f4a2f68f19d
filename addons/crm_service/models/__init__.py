from . import crm_visit_route
from . import crm_visit_route_stop
from . import crm_visit
from . import crm_visit_shelf_line
from . import crm_visit_due
from . import res_company
from . import res_partner
from . import sale_order
