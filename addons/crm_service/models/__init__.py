from . import crm_visit_route
from . import crm_visit_route_stop
from . import crm_service_request_stage
from . import crm_service_request
from . import res_company
from . import res_partner
from . import sale_order
