#!/bin/bash
# SPDX-License-Identifier: MIT
# make-roots.sh - (re)creates the guest fixture trees in roots/ used by the hv-check live-check
# tests.  Each tree is a few files of a real guest: os-release or redhat-release, kernel release,
# boot log, /sys/bus/vmbus devices with class ids and driver links, /proc/PID/comm of daemons,
# /dev/vmbus nodes (plain files), KVP pool 3, EFI variables; for the live backup section a mount
# table (proc/PID/mountinfo), the mount points, [vssd] of hvguest.conf and hook folders.
# cases.tsv says how to run each.
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
FCOPY=34d14be3-dee4-41c8-9ae7-6b174977c192

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
hook() { # root path mode: a hook script (755) or a stray file (644)
	w "$1/$2" "#!/bin/sh
exit 0"
	chmod "$3" "$1/$2"
}
mounts() { # root mountinfo-path dir...: the mount table on stdin, the mount points as folders
	local r=$1 f=$2
	shift 2
	mkdir -p "$(dirname "$r/$f")"
	cat >"$r/$f"
	for d in "$@"; do mkdir -p "$r/$d"; done
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
# live backup: healthy; the table is the VSS daemon's (pid 703).  xfs on LVM, /srv a bind mount
# of a folder of /home's volume (frozen once), the EFI partition and pseudo filesystems skipped.
mounts "$r" proc/703/mountinfo boot home srv <<'EOF'
61 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/rhel-root rw,seclabel,attr2,inode64,logbufs=8,logbsize=32k,noquota
22 61 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
23 61 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw,seclabel
24 61 0:5 / /dev rw,nosuid shared:8 - devtmpfs devtmpfs rw,seclabel,size=4096k,nr_inodes=1048576,mode=755
27 61 0:25 / /run rw,nosuid,nodev shared:11 - tmpfs tmpfs rw,seclabel,size=1566252k,nr_inodes=819200,mode=755
40 23 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,seclabel,nsdelegate,memory_recursiveprot
95 61 8:1 / /boot rw,relatime shared:47 - xfs /dev/sda1 rw,seclabel,attr2,inode64,logbufs=8,logbsize=32k,noquota
98 95 8:2 / /boot/efi rw,relatime shared:49 - vfat /dev/sda2 rw,fmask=0077,dmask=0077,codepage=437,iocharset=ascii,shortname=winnt,errors=remount-ro
101 61 253:2 / /home rw,relatime shared:51 - xfs /dev/mapper/rhel-home rw,seclabel,attr2,inode64,logbufs=8,logbsize=32k,noquota
104 61 253:2 /srv /srv rw,relatime shared:51 - xfs /dev/mapper/rhel-home rw,seclabel,attr2,inode64,logbufs=8,logbsize=32k,noquota
EOF
hook "$r" etc/hvguest/vss-hooks.d/10-postgres 755
hook "$r" etc/hvguest/vss-hooks.d/10-postgres.rpmsave 755

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
# live backup: root on ZFS (no FIFREEZE), so nothing would be frozen; init's table (proc/1)
mounts "$r" proc/1/mountinfo <<'EOF'
25 1 0:24 / / rw,relatime shared:1 - zfs rpool/ROOT/debian rw,xattr,posixacl,casesensitive
22 25 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
23 25 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
24 25 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=4014276k,nr_inodes=1003569,mode=755
30 25 0:26 / /boot rw,nodev,relatime shared:30 - zfs bpool/BOOT/debian rw,xattr,posixacl,casesensitive
31 30 8:1 / /boot/efi rw,relatime shared:31 - vfat /dev/sda1 rw,fmask=0077,dmask=0077,codepage=437,iocharset=ascii,shortname=mixed,utf8,errors=remount-ro
40 25 0:30 / /home rw,relatime shared:40 - zfs rpool/home rw,xattr,posixacl,casesensitive
45 25 0:35 / /tmp rw,nosuid,nodev shared:41 - tmpfs tmpfs rw,size=1605488k
EOF

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
# live backup: a risky and unfreezable mix; no table for the daemon's pid, so proc/self's.
# An NTFS data disk (ntfs3: may not freeze) is risky; read-only, ISO and loop images, NFS,
# container overlay, sshfs, a bind-mounted file and an excluded disk are skipped.
mounts "$r" proc/self/mountinfo boot data var/lib/images var/lib/pgsql <<'EOF'
1 0 8:2 / / rw,relatime shared:1 - xfs /dev/sda2 rw,attr2,inode64,noquota
22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
23 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw
24 1 0:5 / /dev rw,nosuid shared:2 - devtmpfs devtmpfs rw,size=4096k,mode=755
80 1 8:1 / /boot rw,relatime shared:30 - xfs /dev/sda1 rw,attr2,inode64,noquota
85 1 8:17 / /data rw,relatime shared:31 - ntfs3 /dev/sdb1 rw,uid=0,gid=0,iocharset=utf8
86 1 8:33 / /backup ro,relatime shared:32 - ext4 /dev/sdc1 rw
87 1 7:0 / /mnt/iso ro,relatime shared:33 - iso9660 /dev/loop0 ro,nojoliet,check=s,map=n,blocksize=2048
88 1 7:1 / /var/lib/images rw,relatime shared:34 - ext4 /dev/loop1 rw
89 1 0:50 / /mnt/share rw,relatime shared:35 - nfs4 fs1.example.com:/export rw,vers=4.2,rsize=1048576,wsize=1048576,hard,proto=tcp
90 1 0:51 / /var/lib/containers/storage/overlay/3f2a/merged rw,relatime - overlay overlay rw,lowerdir=/var/lib/containers/storage/overlay/l/A,upperdir=/var/lib/containers/storage/overlay/3f2a/diff,workdir=/var/lib/containers/storage/overlay/3f2a/work
91 1 0:52 / /home/ops/remote rw,nosuid,nodev,relatime shared:36 - fuse.sshfs ops@build.example.com:/ rw,user_id=1000,group_id=1000
92 1 8:2 /etc/resolv.conf.static /etc/resolv.conf rw,relatime shared:1 - xfs /dev/sda2 rw,attr2,inode64,noquota
93 1 8:49 / /scratch rw,relatime shared:37 - ext4 /dev/sdd1 rw
94 1 8:65 / /var/lib/pgsql rw,relatime shared:38 - ext4 /dev/sde1 rw
EOF
w "$r/etc/resolv.conf" "nameserver 192.0.2.53"
w "$r/etc/hvguest/hvguest.conf" "[vssd]
# scratch space: not worth a consistent snapshot
exclude = /scratch"
hook "$r" etc/hvguest/vss-hooks.d/10-pgsql 755
hook "$r" etc/hvguest/vss-hooks.d/20-notes 644
hook "$r" etc/qemu/fsfreeze-hook.d/mysql-flush.sh 755
hook "$r" etc/vmware-tools/backupScripts.d/50-app 755

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
