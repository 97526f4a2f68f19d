from . import res_company
from . import crm_lifecycle_stage
from . import crm_lifecycle_event
from . import res_partner
from . import crm_lifecycle_rule
from . import crm_lifecycle_engine
from . import res_config_settings
