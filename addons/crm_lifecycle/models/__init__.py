from . import res_company
from . import crm_lifecycle_stage
from . import crm_lifecycle_event
from . import res_partner
