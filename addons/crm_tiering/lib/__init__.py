"""Pure-Python business maths of crm_tiering (stdlib only, no Odoo import)."""
