from . import crm_delivery_plan
from . import crm_delivery_fail
