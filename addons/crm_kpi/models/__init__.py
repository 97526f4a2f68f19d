from . import crm_kpi_report
from . import crm_kpi_section
from . import crm_kpi_sales
from . import res_company
from . import crm_kpi_service
from . import crm_kpi_lifecycle_transition
from . import crm_kpi_lifecycle_stage
