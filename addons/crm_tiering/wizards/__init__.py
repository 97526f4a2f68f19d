from . import crm_tier_simulation
from . import crm_tier_simulation_line
