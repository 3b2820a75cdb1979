#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# generate.py - writes the sysfs fixture trees of tests/data/sysfs/ (run it from anywhere; it
# rewrites the trees it owns).  Each tree is a sysfs root shaped like a real guest: device
# folders under devices/LNXSYSTM:00/..., symlinks to them in bus/vmbus/devices, driver links
# into bus/vmbus/drivers, and the attributes drivers/hv/vmbus_drv.c shows.  The malformed
# cases are written by hand-picked damage on top of a good device.
import os
import shutil
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))

SHUTDOWN = "0e0b6031-5213-4934-818b-38d90ced39db"
TIMESYNC = "9527e630-d0ae-497b-adce-e80ab0175caf"
HEARTBEAT = "57164f39-9115-4e78-ab55-382f3bd5422d"
KVP = "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6"
VSS = "35fa2e29-ea23-4236-96ae-3a6ebacba440"
FCOPY = "34d14be3-dee4-41c8-9ae7-6b174977c192"
DM = "525074dc-8985-46e2-8057-a307dc18a502"
MOUSE = "cfa8b69e-5b4a-4cc0-b98b-8ba1a1f3f95a"
KBD = "f912ad6d-2b17-48ea-bd65-f927a61c7684"
VIDEO = "da0a7802-e377-4aac-8e77-0558eb1073f8"
NIC = "f8615163-df3e-46c5-913f-f2d2f965ed0e"
IDE = "32412632-86cb-44a2-9b5c-50d1417354f5"
SCSI = "ba6163d9-04a1-4d29-b605-72e2ffb1dc7f"
PCIE = "44c4f61d-4444-4400-9d52-802e27ede19f"
RDV = "276aacf4-ac15-426c-98dd-7521ad3f01fe"
AVMA1 = "f8e65716-3cb3-4a06-9a60-1889c5cccab5"
IMC = "c376c1c3-d276-48d2-90a9-c04748072c60"
ND = "8c2eaf3d-32a7-4b09-ab99-bd1f1c86b501"
SYNTHFC = "2f9bcc4a-0069-4af3-b76b-6fd0be528cda"

# Instance GUIDs of the ICs are fixed by Hyper-V (PROTOCOL.md 2.5).
IC_INSTANCE = {
    SHUTDOWN: "b6650ff7-33bc-4840-8048-e0676786f393",
    TIMESYNC: "2dd1ce17-079e-403c-b352-a1921ee207ee",
    HEARTBEAT: "fd149e91-82e0-4a7d-afa6-2a4166cbd7c0",
    KVP: "242ff919-07db-4180-9c2e-b86cb68c8c55",
    VSS: "2450ee40-33bf-4fbd-892e-9fb06e9214cf",
    FCOPY: "eb765408-105f-49b6-b4aa-c123b64d17d4",
    RDV: "f5bee29c-1741-4aad-a4c2-8fdedb46dcc2",
}

GEN2_PARENT = "devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0004:00/VMBUS:00"
GEN1_PARENT = "devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A03:00/device:07/VMBUS:01"


def inst(case, n):
    """A stable, made-up instance GUID."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "hvguest-fixture/%s/%d" % (case, n)))


def modalias(guid):
    return "vmbus:" + uuid.UUID(guid).bytes_le.hex()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(text)


class Tree:
    def __init__(self, case, parent):
        self.case = case
        self.root = os.path.join(HERE, case)
        self.parent = parent
        shutil.rmtree(self.root, ignore_errors=True)
        os.makedirs(os.path.join(self.root, "bus/vmbus/devices"))
        write(os.path.join(self.root, "bus/vmbus/hibernation"), "0\n")
        self.n = 0

    def device(self, cls, relid, channels, driver=None, instance=None, ring=False):
        """channels: list of (relid, cpu) with the primary first, as the kernel prints."""
        self.n += 1
        instance = instance or IC_INSTANCE.get(cls) or inst(self.case, self.n)
        rel = os.path.join(self.parent, instance)
        d = os.path.join(self.root, rel)
        write(os.path.join(d, "id"), "%d\n" % relid)
        write(os.path.join(d, "class_id"), "{%s}\n" % cls)
        write(os.path.join(d, "device_id"), "{%s}\n" % instance)
        write(os.path.join(d, "state"), "3\n")
        write(os.path.join(d, "modalias"), modalias(cls) + "\n")
        write(os.path.join(d, "numa_node"), "0\n")
        write(os.path.join(d, "driver_override"), "(null)\n")
        write(os.path.join(d, "uevent"), "MODALIAS=%s\n" % modalias(cls))
        write(os.path.join(d, "channel_vp_mapping"),
              "".join("%d:%d\n" % c for c in channels))
        for r, cpu in channels:
            c = os.path.join(d, "channels", str(r))
            write(os.path.join(c, "cpu"), "%d\n" % cpu)
            write(os.path.join(c, "subchannel_id"), "%d\n" % (r - channels[0][0]))
            if ring:
                write(os.path.join(c, "ring"), "")
        if driver:
            drvdir = os.path.join(self.root, "bus/vmbus/drivers", driver)
            write(os.path.join(drvdir, "uevent"), "")
            up = "../" * (rel.count("/") + 1)
            os.symlink(up + "bus/vmbus/drivers/" + driver, os.path.join(d, "driver"))
        up = "../../../" + rel
        os.symlink(up, os.path.join(self.root, "bus/vmbus/devices", instance))
        return d


def ics(t, first, fcopy_driver):
    t.device(SHUTDOWN, first, [(first, 0)], "hv_utils")
    t.device(TIMESYNC, first + 1, [(first + 1, 0)], "hv_utils")
    t.device(HEARTBEAT, first + 2, [(first + 2, 0)], "hv_utils")
    t.device(KVP, first + 3, [(first + 3, 0)], "hv_utils")
    t.device(VSS, first + 4, [(first + 4, 0)], "hv_utils")
    t.device(FCOPY, first + 5, [(first + 5, 0)], fcopy_driver, ring=fcopy_driver is not None)


def spread(primary, n, cpus, first_sub):
    """A primary channel and n-1 sub-channels spread over cpus CPUs."""
    ch = [(primary, 0)]
    for i in range(1, n):
        ch.append((first_sub + i - 1, i % cpus))
    return ch


def gen2():
    # A Hyper-V Gen2 VM on a Windows Server host: 4 vCPUs, fcopy on uio_hv_generic, IMC and
    # two Hyper-V sockets (which the reference prints as Unknown), no IDE.
    t = Tree("gen2", GEN2_PARENT)
    ics(t, 1, "uio_hv_generic")
    t.device(DM, 9, [(9, 0)], "hv_balloon")
    t.device(MOUSE, 7, [(7, 0)], "hid_hyperv")
    t.device(KBD, 8, [(8, 0)], "hyperv_keyboard")
    t.device(VIDEO, 10, [(10, 0)], "hyperv_drm")
    t.device(SCSI, 11, spread(11, 4, 4, 20), "hv_storvsc")
    t.device(NIC, 12, spread(12, 4, 4, 24), "hv_netvsc")
    t.device(RDV, 13, [(13, 0)])
    t.device(IMC, 14, [(14, 0)])
    t.device("00000438-facb-11e6-bd58-64006a7986d3", 30, [(30, 2)], "hv_sock")
    t.device("0000c0de-facb-11e6-bd58-64006a7986d3", 31, [(31, 3)], "hv_sock")


def gen2_sriov():
    # An Azure Gen2 VM with accelerated networking: 8 vCPUs, a NIC with 8 channels and its
    # SR-IOV virtual function behind PCI pass-through, a second pass-through device (NVMe),
    # no dynamic memory and no guest services.
    t = Tree("gen2-sriov", GEN2_PARENT)
    t.device(SHUTDOWN, 1, [(1, 0)], "hv_utils")
    t.device(TIMESYNC, 2, [(2, 0)], "hv_utils")
    t.device(HEARTBEAT, 3, [(3, 0)], "hv_utils")
    t.device(KVP, 4, [(4, 0)], "hv_utils")
    t.device(VSS, 5, [(5, 0)], "hv_utils")
    t.device(MOUSE, 6, [(6, 0)], "hid_hyperv")
    t.device(KBD, 7, [(7, 0)], "hyperv_keyboard")
    t.device(VIDEO, 8, [(8, 0)], "hyperv_drm")
    t.device(SCSI, 14, spread(14, 8, 8, 40), "hv_storvsc")
    t.device(SCSI, 15, spread(15, 2, 8, 48), "hv_storvsc")
    t.device(NIC, 16, spread(16, 8, 8, 32), "hv_netvsc")
    t.device(PCIE, 17, [(17, 5)], "hv_pci")
    t.device(PCIE, 18, [(18, 6)], "hv_pci")
    t.device(AVMA1, 19, [(19, 0)])


def gen1():
    # A Hyper-V Gen1 VM: 2 vCPUs, IDE, fcopy offered but not bound (no uio driver).
    t = Tree("gen1", GEN1_PARENT)
    ics(t, 1, None)
    t.device(DM, 7, [(7, 0)], "hv_balloon")
    t.device(MOUSE, 8, [(8, 0)], "hid_hyperv")
    t.device(KBD, 9, [(9, 0)], "hyperv_keyboard")
    t.device(VIDEO, 10, [(10, 0)], "hyperv_fb")
    t.device(IDE, 11, [(11, 0)], "hv_storvsc")
    t.device(SCSI, 12, spread(12, 2, 2, 16), "hv_storvsc")
    t.device(NIC, 13, spread(13, 2, 2, 18), "hv_netvsc")
    t.device(RDV, 14, [(14, 0)])


def gen1_sriov():
    # An Azure Gen1 VM with accelerated networking: 2 vCPUs, IDE and SCSI, NIC plus VF.
    t = Tree("gen1-sriov", GEN1_PARENT)
    t.device(SHUTDOWN, 1, [(1, 0)], "hv_utils")
    t.device(TIMESYNC, 2, [(2, 0)], "hv_utils")
    t.device(HEARTBEAT, 3, [(3, 0)], "hv_utils")
    t.device(KVP, 4, [(4, 0)], "hv_utils")
    t.device(VSS, 5, [(5, 0)], "hv_utils")
    t.device(MOUSE, 6, [(6, 0)], "hid_hyperv")
    t.device(KBD, 7, [(7, 0)], "hyperv_keyboard")
    t.device(VIDEO, 8, [(8, 0)], "hyperv_fb")
    t.device(IDE, 9, [(9, 1)], "hv_storvsc")
    t.device(SCSI, 10, spread(10, 2, 2, 20), "hv_storvsc")
    t.device(NIC, 11, spread(11, 2, 2, 22), "hv_netvsc")
    t.device(PCIE, 12, [(12, 1)], "hv_pci")


def quirks():
    # Odd but valid for the reference: it must print these exactly as it does.  Leading
    # zeros and blanks around ids, CRLF and CR line ends, no trailing newline, extra ':'
    # fields, channel lines out of order and with equal relids, an empty and a missing
    # channel_vp_mapping, class ids nobody knows, without braces, in upper case.
    t = Tree("quirks", GEN2_PARENT)
    d = t.device(HEARTBEAT, 3, [(3, 0)], "hv_utils")
    write(os.path.join(d, "id"), "  003 \n")
    d = t.device(NIC, 12, [(12, 0)], "hv_netvsc")
    write(os.path.join(d, "channel_vp_mapping"), "12:0\r\n27:1\r\n26:3\r\n")
    d = t.device(SCSI, 2, [(2, 0)], "hv_storvsc")
    write(os.path.join(d, "channel_vp_mapping"), "2:1\r9:0\r5:1")
    d = t.device(KVP, 100, [(100, 0)], "hv_utils")
    write(os.path.join(d, "channel_vp_mapping"), "100:0:extra\n 101 :1\n100:7\n")
    d = t.device(VSS, 1_000, [(1000, 0)])
    write(os.path.join(d, "channel_vp_mapping"), "")
    d = t.device(TIMESYNC, 7, [(7, 0)], "hv_utils")
    os.unlink(os.path.join(d, "channel_vp_mapping"))
    d = t.device("12345678-1234-1234-1234-123456789abc", 40, [(40, 1)])
    d = t.device(SHUTDOWN, 41, [(41, 0)])
    write(os.path.join(d, "class_id"), SHUTDOWN + "\n")
    d = t.device(MOUSE, 42, [(42, 0)])
    write(os.path.join(d, "class_id"), "{%s}\n" % MOUSE.upper())
    d = t.device(ND, 43, [(43, 0)])
    write(os.path.join(d, "id"), "4_3")
    write(os.path.join(d, "class_id"), "{%s}" % ND)
    t.device(SYNTHFC, 9, [(9, 1)], "hv_storvsc")
    d = t.device(IMC, 8, [(8, 0)])
    write(os.path.join(d, "id"), "+8\n")
    d = t.device(DM, 5, [(5, 1)], "hv_balloon")
    write(os.path.join(d, "class_id"), "\n")


def half_written():
    # A tree caught while devices come and go, or written by a broken tool: the reference
    # crashes on every one of these; lsvmbus names each device and what is wrong with it.
    t = Tree("half-written", GEN2_PARENT)
    t.device(HEARTBEAT, 3, [(3, 0)], "hv_utils")
    t.device(NIC, 12, spread(12, 2, 2, 20), "hv_netvsc")
    d = t.device(KVP, 4, [(4, 0)], "hv_utils")
    write(os.path.join(d, "id"), "")
    d = t.device(SCSI, 11, [(11, 0)], "hv_storvsc")
    os.unlink(os.path.join(d, "class_id"))
    d = t.device(VSS, 5, [(5, 0)], "hv_utils")
    os.unlink(os.path.join(d, "device_id"))
    # A device that went away: the bus link is left dangling.
    os.symlink("../../../" + GEN2_PARENT + "/" + inst("gone", 1),
               os.path.join(t.root, "bus/vmbus/devices", inst("gone", 1)))


def malformed():
    # Attribute contents the reference cannot parse.
    t = Tree("malformed", GEN1_PARENT)
    t.device(HEARTBEAT, 3, [(3, 0)], "hv_utils")
    d = t.device(KVP, 4, [(4, 0)], "hv_utils")
    write(os.path.join(d, "id"), "four\n")
    d = t.device(NIC, 12, [(12, 0)], "hv_netvsc")
    write(os.path.join(d, "channel_vp_mapping"), "12:0\n20\n")
    d = t.device(SCSI, 11, [(11, 0)], "hv_storvsc")
    write(os.path.join(d, "channel_vp_mapping"), "11:0\n\n")
    d = t.device(SHUTDOWN, 1, [(1, 0)], "hv_utils")
    write(os.path.join(d, "id"), "99999999999999999999999\n")
    d = t.device(TIMESYNC, 2, [(2, 0)], "hv_utils")
    write(os.path.join(d, "class_id"), "{%s}\0junk\n" % TIMESYNC)
    d = t.device(DM, 7, [(7, 0)], "hv_balloon")
    write(os.path.join(d, "device_id"), "{" + "0" * 300 + "}\n")
    # Not a device folder at all.
    write(os.path.join(t.root, "bus/vmbus/devices/stray-file"), "hello\n")


def not_a_guest():
    root = os.path.join(HERE, "not-a-guest")
    shutil.rmtree(root, ignore_errors=True)
    write(os.path.join(root, "bus/pci/drivers_autoprobe"), "1\n")
    write(os.path.join(root, "class/dmi/id/sys_vendor"), "QEMU\n")


for f in (gen2, gen2_sriov, gen1, gen1_sriov, quirks, half_written, malformed, not_a_guest):
    f()
