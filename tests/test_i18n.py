"""Every addon ships a complete zh_CN translation of its template."""
import pytest
from babel.messages.pofile import read_po

import crmdb


@pytest.mark.parametrize('addon', crmdb.project_addons())
def test_zh_cn_translates_every_term(addon):
    i18n = crmdb.ADDONS_DIR / addon / 'i18n'
    with open(str(i18n / (addon + '.pot')), 'rb') as pot, \
            open(str(i18n / 'zh_CN.po'), 'rb') as po:
        template, translation = read_po(pot), read_po(po, locale='zh_CN')
    missing = [m.id for m in template
               if m.id and not getattr(translation.get(m.id, m.context), 'string', None)]
    assert not missing, 'untranslated in %s/i18n/zh_CN.po: %s' % (addon, missing)
