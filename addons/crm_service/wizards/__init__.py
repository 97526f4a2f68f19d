from . import crm_visit_plan
from . import crm_delivery_plan
from . import crm_delivery_fail
