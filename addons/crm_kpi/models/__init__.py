from . import crm_kpi_report
from . import crm_kpi_section
from . import crm_kpi_sales
from . import res_company
from . import crm_kpi_visit
from . import crm_kpi_delivery
from . import crm_kpi_delivery_failure
