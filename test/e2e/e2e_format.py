"""lit test format of test/e2e: ShTest with the expected failures of xfail.txt.

In its own module (not lit.local.cfg) so that lit's worker processes can
unpickle it.
"""
import os

import lit.formats


def read_xfail(path):
    names = set()
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.add(line)
    return names


class E2EFormat(lit.formats.ShTest):
    def __init__(self, execute_external, xfail):
        super().__init__(execute_external)
        self.xfail = xfail

    def execute(self, test, litConfig):
        name = os.path.splitext(os.path.basename(test.getSourcePath()))[0]
        if name in self.xfail:
            test.xfails = ["*"]
        return super().execute(test, litConfig)
