from . import crm_lifecycle_stage_change
from . import crm_lifecycle_rule_preview
from . import crm_lifecycle_rule_preview_line
