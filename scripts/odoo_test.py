#!/usr/bin/env python3
"""Odoo's command line, recording each addon test's outcome as a JSON line.

Odoo 11 reports test results only as log text; the system tests need them one
by one. Set CRM_TEST_RESULTS to the file to append to, then pass Odoo's usual
arguments (``-i ... --test-enable --stop-after-init``).
"""
import json
import os
import unittest

import odoo


class RecordingResult(unittest.TextTestResult):

    def _record(self, test, outcome, detail=''):
        with open(os.environ['CRM_TEST_RESULTS'], 'a') as out:
            out.write(json.dumps({'id': test.id(), 'outcome': outcome, 'detail': detail}) + '\n')

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, 'passed')

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, 'failed', self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, 'error', self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, 'skipped', reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._record(test, 'passed')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._record(test, 'failed', 'unexpected success')


if __name__ == '__main__':
    unittest.TextTestRunner.resultclass = RecordingResult
    odoo.cli.main()
