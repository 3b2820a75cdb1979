# SPDX-License-Identifier: MIT
# Run the Azure agent's own pool-0 readers (Debian's waagent, azurelinuxagent/common/rdma.py:
# RDMAHandler.get_rdma_version and RDMADeviceHandler.read_ipoib_data, which read the file with
# no lock, 512 + 2,048 bytes a step) against a temporary directory: the module's hard-coded
# /var/lib/hyperv path is redirected by shadowing open() and os.path.isfile in the module
# only.  Prints "NdDriverVersion <v>" and "IPoIB_Data <v>".  Usage: waagent-read.py DIR
import builtins
import os
import sys

import azurelinuxagent.common.rdma as rdma

state = sys.argv[1]
real_isfile = os.path.isfile


def redirect(path):
    if isinstance(path, str) and path.startswith("/var/lib/hyperv/"):
        return os.path.join(state, path[len("/var/lib/hyperv/"):])
    return path


class OsPath:
    def __getattr__(self, name):
        return getattr(os.path, name)

    @staticmethod
    def isfile(path):
        return real_isfile(redirect(path))


class Os:
    path = OsPath()

    def __getattr__(self, name):
        return getattr(os, name)


rdma.open = lambda path, *a, **k: builtins.open(redirect(path), *a, **k)
rdma.os = Os()
print("NdDriverVersion %s" % rdma.RDMAHandler().get_rdma_version())
print("IPoIB_Data %s" % (rdma.RDMADeviceHandler.read_ipoib_data(None)[1],))
