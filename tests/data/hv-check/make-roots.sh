#!/bin/bash
# SPDX-License-Identifier: MIT
# make-roots.sh - (re)creates the guest fixture trees in roots/ used by the hv-check live-check
# tests.  Each tree is a few files of a real guest: os-release or redhat-release, kernel release,
# boot log, /sys/bus/vmbus devices with class ids and driver links, /proc/PID/comm of daemons,
# /dev/vmbus nodes (plain files), KVP pool 3, EFI variables.  cases.tsv says how to run each.
# Class ids are those of data/featuremap/detection.tsv.
set -eu
cd "$(dirname "$0")"
R=$PWD/roots
rm -rf "$R"
mkdir -p "$R"

SHUTDOWN=0e0b6031-5213-4934-818b-38d90ced39db TIMESYNC=9527e630-d0ae-497b-adce-e80ab0175caf
HEARTBEAT=57164f39-9115-4e78-ab55-382f3bd5422d KVP=a9a0f4e7-5a45-4d96-b827-8a841e8c03e6
VSS=35fa2e29-ea23-4236-96ae-3a6ebacba440 SCSI=ba6163d9-04a1-4d29-b605-72e2ffb1dc7f
NET=f8615163-df3e-46c5-913f-f2d2f965ed0e BALLOON=525074dc-8985-46e2-8057-a307dc18a502
VIDEO=da0a7802-e377-4aac-8e77-0558eb1073f8 MOUSE=cfa8b69e-5b4a-4cc0-b98b-8ba1a1f3f95a
FCOPY=34d14be3-dee4-41c8-9ae7-6b174977c192 PCI=44c4f61d-4444-4400-9d52-802e27ede19f

w() { mkdir -p "$(dirname "$1")"; printf '%s\n' "$2" >"$1"; }
dev() { # root instance class driver
	local d=$1/sys/bus/vmbus/devices/$2
	mkdir -p "$d"
	echo "{$3}" >"$d/class_id"
	[ -z "$4" ] || ln -s "../../../../bus/vmbus/drivers/$4" "$d/driver"
}
daemon() { w "$1/proc/$2/comm" "$3"; }
nic() { # root name mtu rxqueues
	mkdir -p "$1/sys/class/net/$2/device" "$1/sys/class/net/$2/queues"
	ln -s "../../../../bus/vmbus/drivers/hv_netvsc" "$1/sys/class/net/$2/device/driver"
	echo "$3" >"$1/sys/class/net/$2/mtu"
	for q in $(seq 0 $(($4 - 1))); do mkdir -p "$1/sys/class/net/$2/queues/rx-$q" "$1/sys/class/net/$2/queues/tx-$q"; done
}
common() { # root kernel fcopy-driver
	local r=$1
	w "$r/proc/sys/kernel/osrelease" "$2"
	dev "$r" 00000001-0000-0000-0000-000000000001 $SHUTDOWN hv_utils
	dev "$r" 00000001-0000-0000-0000-000000000002 $TIMESYNC hv_utils
	dev "$r" 00000001-0000-0000-0000-000000000003 $HEARTBEAT hv_utils
	dev "$r" 00000001-0000-0000-0000-000000000004 $KVP hv_utils
	dev "$r" 00000001-0000-0000-0000-000000000005 $VSS hv_utils
	dev "$r" 00000001-0000-0000-0000-000000000006 $SCSI hv_storvsc
	dev "$r" 00000001-0000-0000-0000-000000000007 $NET hv_netvsc
	dev "$r" 00000001-0000-0000-0000-000000000008 $BALLOON hv_balloon
	dev "$r" 00000001-0000-0000-0000-000000000009 $VIDEO hyperv_fb
	dev "$r" 00000001-0000-0000-0000-00000000000a $MOUSE hid_hyperv
	[ -z "$3" ] || dev "$r" eb765408-105f-49b6-b4aa-c123b64d17d4 $FCOPY "$3"
	nic "$r" eth0 1500 2
	w "$r/sys/block/sda/queue/discard_max_bytes" 0
	w "$r/proc/sys/kernel/unknown_nmi_panic" 0
	w "$r/sys/devices/system/cpu/present" 0-3
	mkdir -p "$r/dev/vmbus" "$r/var/lib/hyperv"
}
kvp3() { # root key=value...
	local r=$1
	shift
	/usr/bin/python3 - "$r/var/lib/hyperv/.kvp_pool_3" "$@" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    for kv in sys.argv[2:]:
        k, v = kv.split("=", 1)
        f.write(k.encode().ljust(512, b"\0") + v.encode().ljust(2048, b"\0"))
PY
}
efi_sb() { # root value(0|1)
	mkdir -p "$1/sys/firmware/efi/efivars"
	printf "\x06\x00\x00\x00\\x0$2" >"$1/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
}

# CentOS 5.11 built-in drivers on Windows Server 2008 R2: redhat-release only, old dmesg format
r=$R/centos511-2008r2
common "$r" 2.6.18-398.el5 ""
w "$r/etc/redhat-release" "CentOS release 5.11 (Final)"
w "$r/var/log/dmesg" "Linux version 2.6.18-398.el5 (mockbuild@builder10.centos.org)
Hyper-V Host Build:7601-6.1-1-0.17514
hv_vmbus: Vmbus version:2.0"
daemon "$r" 1 init

# CentOS 6.5 with LIS 4.1 on 2012 R2 (CPUID); NetworkManager owns eth0 (note 2)
r=$R/centos65-lis41-2012r2
common "$r" 2.6.32-431.el6.x86_64 hv_utils
w "$r/etc/redhat-release" "CentOS release 6.5 (Final)"
mkdir -p "$r/lib/modules/2.6.32-431.el6.x86_64/extra/microsoft-hyper-v"
w "$r/sys/module/hv_vmbus/version" "4.1.3"
w "$r/sys/module/hv_balloon/parameters/hot_add" "Y"
w "$r/sys/devices/system/memory/auto_online_blocks" "offline"
w "$r/etc/udev/rules.d/100-balloon.rules" 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}="online"'
w "$r/etc/sysconfig/network-scripts/ifcfg-eth0" "DEVICE=eth0
BOOTPROTO=dhcp"
touch "$r/dev/vmbus/hv_kvp" "$r/dev/vmbus/hv_vss" "$r/dev/vmbus/hv_fcopy"
daemon "$r" 1 init
daemon "$r" 610 NetworkManager
daemon "$r" 702 hypervkvpd
daemon "$r" 703 hypervvssd
daemon "$r" 704 hypervfcopyd
kvp3 "$r" HostName=hv-2012r2.example.com HostingSystemOsMajor=6 HostingSystemOsMinor=3

# RHEL 7.2 built in on 2016, Dynamic Memory on but new memory stays offline (no udev rule)
r=$R/rhel72-2016-hotadd-off
common "$r" 3.10.0-327.el7.x86_64 hv_utils
w "$r/etc/os-release" 'NAME="Red Hat Enterprise Linux Server"
VERSION="7.2 (Maipo)"
ID="rhel"
VERSION_ID="7.2"
PRETTY_NAME="Red Hat Enterprise Linux Server 7.2 (Maipo)"'
w "$r/sys/module/hv_balloon/parameters/hot_add" "Y"
w "$r/sys/devices/system/memory/auto_online_blocks" "offline"
w "$r/etc/sysconfig/network-scripts/ifcfg-eth0" "DEVICE=eth0
NM_CONTROLLED=no"
touch "$r/dev/vmbus/hv_kvp" "$r/dev/vmbus/hv_vss" "$r/dev/vmbus/hv_fcopy"
daemon "$r" 1 systemd
daemon "$r" 640 NetworkManager
daemon "$r" 702 hypervkvpd
daemon "$r" 703 hypervvssd
daemon "$r" 704 hypervfcopyd
w "$r/var/log/dmesg" "[    0.000000] Hyper-V Host Build:14393-10.0-0-0.1884
[    0.912000] hv_vmbus: Vmbus version:4.0
[    1.100000] hv_utils: TimeSync IC version 4.0"
kvp3 "$r" HostName=hv-2016.example.com HostingSystemOsMajor=10 HostingSystemOsMinor=0

# RHEL 7.3 Gen1: LIS 4.2 modules installed for the previous kernel only
r=$R/rhel73-lis-stale-gen1
common "$r" 3.10.0-514.el7.x86_64 hv_utils
w "$r/etc/os-release" 'ID="rhel"
VERSION_ID="7.3"
PRETTY_NAME="Red Hat Enterprise Linux Server 7.3 (Maipo)"'
mkdir -p "$r/lib/modules/3.10.0-327.el7.x86_64/extra/microsoft-hyper-v" "$r/lib/modules/3.10.0-514.el7.x86_64/kernel"
w "$r/sys/devices/system/memory/auto_online_blocks" "online"
touch "$r/dev/vmbus/hv_kvp" "$r/dev/vmbus/hv_vss" "$r/dev/vmbus/hv_fcopy"
daemon "$r" 702 hypervkvpd
daemon "$r" 703 hypervvssd
daemon "$r" 704 hypervfcopyd
w "$r/var/log/dmesg" "[    0.000000] Hyper-V Host Build:14393-10.0-0-0.1884"

# RHEL 9.2 on 2022: kmsg format of 6.x kernels, host build from the boot log
r=$R/rhel92-2022
common "$r" 5.14.0-284.11.1.el9_2.x86_64 hv_utils
w "$r/etc/os-release" 'NAME="Red Hat Enterprise Linux"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.2"'
w "$r/sys/devices/system/memory/auto_online_blocks" "online"
w "$r/sys/block/sda/queue/discard_max_bytes" 2147450880
touch "$r/dev/vmbus/hv_kvp" "$r/dev/vmbus/hv_vss" "$r/dev/vmbus/hv_fcopy"
daemon "$r" 702 hypervkvpd
daemon "$r" 703 hypervvssd
daemon "$r" 704 hypervfcopyd
w "$r/dev/kmsg" "6,1,0,-;Hyper-V: Host Build 10.0.20348.1970-1-0
6,200,912000,-;hv_vmbus: Vmbus version:5.3"
mkdir -p "$r/sys/class/ptp/ptp0" && echo hyperv >"$r/sys/class/ptp/ptp0/clock_name"
daemon "$r" 650 NetworkManager
w "$r/etc/NetworkManager/conf.d/99-hyperv.conf" "[keyfile]
unmanaged-devices=mac:00:15:5d:00:00:01;interface-name:eth*"
kvp3 "$r" HostName=hv-2022.example.com HostingSystemOsMajor=10 HostingSystemOsMinor=0

# RHEL 10.0 on 2025, Gen2 with Secure Boot, file copy on UIO
r=$R/rhel10-2025-uio
common "$r" 6.12.0-55.9.1.el10_0.x86_64 uio_hv_generic
mkdir -p "$r/sys/bus/vmbus/devices/eb765408-105f-49b6-b4aa-c123b64d17d4/uio/uio0"
w "$r/etc/os-release" 'ID="rhel"
VERSION_ID="10.0"'
w "$r/sys/devices/system/memory/auto_online_blocks" "online-movable"
w "$r/sys/block/sda/queue/discard_max_bytes" 2147450880
touch "$r/dev/vmbus/hv_kvp" "$r/dev/vmbus/hv_vss"
daemon "$r" 702 hypervkvpd
daemon "$r" 703 hypervvssd
daemon "$r" 704 hv_fcopy_uio_da
efi_sb "$r" 1
w "$r/dev/kmsg" "6,1,0,-;Hyper-V: Hypervisor Build 10.0.26100.7462-7-0
6,300,1000,-;secureboot: Secure boot enabled"

# Ubuntu 22.04 on Azure: no build in the boot log, KVP pool 3 says Windows 10.0, edition 168
r=$R/ubuntu2204-azure
common "$r" 6.5.0-1025-azure hv_utils
w "$r/etc/os-release" 'PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
ID=ubuntu
ID_LIKE=debian'
w "$r/sys/devices/system/memory/auto_online_blocks" "online"
touch "$r/dev/vmbus/hv_kvp" "$r/dev/vmbus/hv_vss" "$r/dev/vmbus/hv_fcopy"
daemon "$r" 702 hv_kvp_daemon
daemon "$r" 703 hv_vss_daemon
daemon "$r" 704 hv_fcopy_daemon
efi_sb "$r" 0
w "$r/var/log/dmesg" "[    0.000000] Hypervisor detected: Microsoft Hyper-V"
kvp3 "$r" HostName=CO1AZURE0042 HostingSystemOsMajor=10 HostingSystemOsMinor=0 HostingSystemEditionId=168

# Debian 12 Gen2: file copy bound to uio_hv_generic but no daemon runs; not in the map
r=$R/debian12-gen2-uio
common "$r" 6.1.0-18-amd64 uio_hv_generic
w "$r/etc/os-release" 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
VERSION_ID="12"
ID=debian'
w "$r/sys/devices/system/memory/auto_online_blocks" "online"
touch "$r/dev/vmbus/hv_kvp" "$r/dev/vmbus/hv_vss"
daemon "$r" 702 hv_kvp_daemon
daemon "$r" 703 hv_vss_daemon
efi_sb "$r" 0
w "$r/dev/kmsg" "6,1,0,-;Hypervisor detected: Microsoft Hyper-V
6,300,912000,-;hv_vmbus: Vmbus version:5.2"

# Ubuntu 20.04 Gen2 with Secure Boot on and unsigned (taint E) Hyper-V modules
r=$R/gen2-sb-unsigned
common "$r" 5.4.0-150-generic hv_utils
w "$r/etc/os-release" 'ID=ubuntu
VERSION_ID="20.04"'
w "$r/sys/devices/system/memory/auto_online_blocks" "online"
touch "$r/dev/vmbus/hv_kvp" "$r/dev/vmbus/hv_vss" "$r/dev/vmbus/hv_fcopy"
daemon "$r" 702 hv_kvp_daemon
daemon "$r" 703 hv_vss_daemon
daemon "$r" 704 hv_fcopy_daemon
w "$r/sys/module/hv_netvsc/taint" "OE"
w "$r/sys/module/hv_storvsc/taint" "OE"
w "$r/sys/module/hv_vmbus/taint" ""
efi_sb "$r" 1
w "$r/var/log/dmesg" "[    0.000000] Hyper-V Host Build:17763-10.0-0-0.2114"

# RHEL 7.6 Gen1 with LIS 4.3 modules for the running kernel; that kernel is older than note 16's
# minimum for >256 vCPUs
r=$R/rhel76-lis43-gen1
common "$r" 3.10.0-957.el7.x86_64 hv_utils
w "$r/sys/devices/system/cpu/present" 0-383
w "$r/etc/os-release" 'ID="rhel"
VERSION_ID="7.6"'
mkdir -p "$r/lib/modules/3.10.0-957.el7.x86_64/extra/microsoft-hyper-v"
w "$r/sys/module/hv_vmbus/version" "4.3.4"
w "$r/sys/devices/system/memory/auto_online_blocks" "online"
touch "$r/dev/vmbus/hv_kvp" "$r/dev/vmbus/hv_vss" "$r/dev/vmbus/hv_fcopy"
daemon "$r" 702 hypervkvpd
daemon "$r" 703 hypervvssd
daemon "$r" 704 hypervfcopyd
w "$r/var/log/dmesg" "[    0.000000] Hyper-V Host Build:17763-10.0-0-0.1158"

# RHEL 7.7 built in with 384 vCPUs on a kernel older than note 16's minimum (3.10.0-1062.4.1)
r=$R/rhel77-vcpus-oldkernel
common "$r" 3.10.0-1062.el7.x86_64 hv_utils
w "$r/sys/devices/system/cpu/present" 0-383
w "$r/etc/os-release" 'ID="rhel"
VERSION_ID="7.7"'
w "$r/sys/devices/system/memory/auto_online_blocks" "online"
touch "$r/dev/vmbus/hv_kvp" "$r/dev/vmbus/hv_vss" "$r/dev/vmbus/hv_fcopy"
daemon "$r" 702 hypervkvpd
daemon "$r" 703 hypervvssd
daemon "$r" 704 hypervfcopyd
w "$r/var/log/dmesg" "[    0.000000] Hyper-V Host Build:17763-10.0-0-0.1158"

# CentOS 6.8 with the built-in drivers (2012 R2); the KVP daemon is not installed (note 12)
r=$R/centos68-builtin
common "$r" 2.6.32-642.el6.x86_64 ""
w "$r/etc/redhat-release" "CentOS release 6.8 (Final)"
w "$r/sys/devices/system/memory/auto_online_blocks" "offline"
w "$r/etc/udev/rules.d/100-balloon.rules" 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}="online"'
touch "$r/dev/vmbus/hv_kvp" "$r/dev/vmbus/hv_vss"
daemon "$r" 703 hypervvssd
w "$r/var/log/dmesg" "Hyper-V Host Build:9600-6.3-0-0.18144
hv_vmbus: Vmbus version:3.0"

# RHEL 8.6 on 2019 with a virtual Fibre Channel adapter whose second target has no LUN 0 (note 3)
r=$R/rhel86-2019-fc
common "$r" 4.18.0-372.9.1.el8.x86_64 hv_utils
dev "$r" 00000001-0000-0000-0000-00000000000b 2f9bcc4a-0069-4af3-b76b-6fd0be528cda hv_storvsc
w "$r/etc/os-release" 'ID="rhel"
VERSION_ID="8.6"'
w "$r/sys/devices/system/memory/auto_online_blocks" "online"
w "$r/sys/class/fc_host/host3/port_name" "0xc003ff4a7c6d0000"
mkdir -p "$r/sys/class/fc_transport/target3:0:0" "$r/sys/class/fc_transport/target3:0:1" \
	"$r/sys/class/scsi_device/3:0:0:0" "$r/sys/class/scsi_device/3:0:1:1"
touch "$r/dev/vmbus/hv_kvp" "$r/dev/vmbus/hv_vss" "$r/dev/vmbus/hv_fcopy"
daemon "$r" 702 hypervkvpd
daemon "$r" 703 hypervvssd
daemon "$r" 704 hypervfcopyd
w "$r/dev/kmsg" "6,1,0,-;Hyper-V: Host Build 10.0.17763.5830-0-0"

# Not a Hyper-V guest: a KVM machine
r=$R/not-a-guest
w "$r/etc/os-release" 'ID=debian
VERSION_ID="12"'
w "$r/proc/sys/kernel/osrelease" "6.1.0-18-amd64"
w "$r/var/log/dmesg" "[    0.000000] Hypervisor detected: KVM"
mkdir -p "$r/sys/bus/vmbus/devices"

# Garbled: os-release without ID, unreadable boot log, short KVP pool
r=$R/garbled
common "$r" 4.18.0-80.el8.x86_64 hv_utils
printf 'NAME=\x01\x02\nVERSION_ID=\n===\n' >"$r/etc-os-release.tmp"
mkdir -p "$r/etc" && mv "$r/etc-os-release.tmp" "$r/etc/os-release"
printf 'HostName\0\0\0' >"$r/var/lib/hyperv/.kvp_pool_3"
mkdir -p "$r/var/log/dmesg"

# git keeps no empty folders: mark them (hv-check skips dot files when it lists a folder)
find "$R" -type d -empty -exec touch {}/.keep \;
echo "created $(ls "$R" | wc -l) roots"
