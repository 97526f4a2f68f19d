"""Pure-Python maths of crm_lifecycle (stdlib only, no Odoo import)."""
