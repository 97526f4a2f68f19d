from . import crm_kpi_workbook
