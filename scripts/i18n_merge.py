#!/usr/bin/env python3
"""Carry the zh_CN translations over to a regenerated template.

    scripts/i18n_merge.py crm_tiering [crm_service ...]

Rewrites ``addons/<addon>/i18n/zh_CN.po`` as the ``<addon>.pot`` layout, entry
for entry (with Odoo's own ``#:`` reference lines, which Odoo applies the
translations through), keeping the PO header and every existing msgstr; new
terms get an empty msgstr, terms gone from the template are dropped. Unlike
msgmerge it never joins reference lines.
"""
import ast
import pathlib
import sys

ADDONS = pathlib.Path(__file__).resolve().parent.parent / 'addons'


def blocks(path):
    """The entries of a PO file, as lists of lines."""
    return [block.splitlines() for block in path.read_text().split('\n\n') if block.strip()]


def split(block):
    """(comment and msgid lines, msgid text, msgstr lines) of one entry."""
    head, msgstr, target = [], [], None
    for line in block:
        if line.startswith('msgstr'):
            target = msgstr
        elif line.startswith('msgid'):
            target = head
        (target if target is not None else head).append(line)
    msgid = ''.join(ast.literal_eval(line.split(' ', 1)[1] if line.startswith('msgid') else line)
                    for line in head if line.startswith(('msgid', '"')))
    return head, msgid, msgstr


def merge(addon):
    i18n = ADDONS / addon / 'i18n'
    po_path = i18n / 'zh_CN.po'
    old = blocks(po_path)
    translated = {}
    for block in old[1:]:
        _head, msgid, msgstr = split(block)
        if msgstr and msgstr != ['msgstr ""']:
            translated[msgid] = msgstr
    entries = ['\n'.join(old[0])]
    missing = 0
    for block in blocks(i18n / (addon + '.pot'))[1:]:
        head, msgid, _msgstr = split(block)
        msgstr = translated.get(msgid)
        missing += msgstr is None
        entries.append('\n'.join(head + (msgstr or ['msgstr ""'])))
    po_path.write_text('\n\n'.join(entries) + '\n\n')
    print('%s: %d terms, %d to translate' % (addon, len(entries) - 1, missing))


if __name__ == '__main__':
    for name in sys.argv[1:] or sorted(p.name for p in ADDONS.iterdir() if p.is_dir()):
        merge(name)
