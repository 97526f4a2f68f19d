from . import crm_visit_route
from . import crm_visit_route_stop
