"""Every addon ships a current translation template and a complete zh_CN translation."""
import pytest
from babel.messages.pofile import read_po

import crmdb


def _msgids(path):
    with open(str(path), 'rb') as pot:
        return {m.id for m in read_po(pot) if m.id}


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    target = tmp_path_factory.mktemp('pot')
    crmdb.export_pot(target)
    return target


@pytest.mark.parametrize('addon', crmdb.project_addons())
def test_translation_template_is_current(addon, exported):
    committed = _msgids(crmdb.ADDONS_DIR / addon / 'i18n' / (addon + '.pot'))
    current = _msgids(exported / (addon + '.pot'))
    assert committed == current, (
        'run .venv/bin/python scripts/crmdb.py export-pot, then translate the new terms: %s'
        % sorted(current ^ committed))


@pytest.mark.parametrize('addon', crmdb.project_addons())
def test_zh_cn_translates_every_term(addon):
    i18n = crmdb.ADDONS_DIR / addon / 'i18n'
    with open(str(i18n / (addon + '.pot')), 'rb') as pot, \
            open(str(i18n / 'zh_CN.po'), 'rb') as po:
        template, translation = read_po(pot), read_po(po, locale='zh_CN')
    missing = [m.id for m in template
               if m.id and not getattr(translation.get(m.id, m.context), 'string', None)]
    assert not missing, 'untranslated in %s/i18n/zh_CN.po: %s' % (addon, missing)


@pytest.mark.parametrize('addon', crmdb.project_addons())
def test_zh_cn_keeps_where_each_term_is_used(addon):
    """Odoo applies a translation through its '#:' references; a PO editor that
    drops them leaves the terms untranslated in the database."""
    i18n = crmdb.ADDONS_DIR / addon / 'i18n'

    def references(path):
        return sorted(line for line in path.read_text().splitlines() if line.startswith('#:'))
    assert references(i18n / 'zh_CN.po') == references(i18n / (addon + '.pot'))
