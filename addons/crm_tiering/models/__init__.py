from . import res_company
from . import crm_tier_excluded_period
from . import res_partner
