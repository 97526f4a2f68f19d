from . import crm_visit_plan
