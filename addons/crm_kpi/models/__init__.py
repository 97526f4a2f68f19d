from . import crm_kpi_report
from . import crm_kpi_section
from . import crm_kpi_sales
from . import res_company
from . import crm_kpi_stock
from . import crm_kpi_unreserved
from . import crm_kpi_receivable
from . import crm_kpi_invoicing
