from . import crm_visit_route
from . import crm_visit_route_stop
from . import crm_delivery_failure_reason
from . import crm_delivery_attempt
from . import stock_picking
from . import stock_picking_batch
