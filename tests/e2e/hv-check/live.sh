#!/bin/bash
# SPDX-License-Identifier: MIT
# hv-check check against fixture guest trees (tests/data/hv-check/roots, made by make-roots.sh):
# golden text output and exit status per case, valid JSON with the documented fields, the
# Prometheus textfile, --fix applied inside a copy of a root (never the real system), and the
# live backup section (mount verdicts, freeze order, hooks; compared with hv-vssd --check).
# UPDATE_GOLDEN=1 rewrites the golden files.
. "$(dirname "$0")/../../lib/tap.sh"
HVC=$BIN/hv-check
D=$TOP/tests/data/hv-check
PY=/usr/bin/python3
[ -x "$HVC" ] || { echo "1..0 # SKIP hv-check not built"; exit 77; }
# The fixture roots, copied so their files are ours and not group-writable whoever checked
# out the tree with whatever umask: hooks are only run (and listed) when they are.
R=$TMP/roots
if ! cp -R "$D/roots" "$R" || ! chmod -R go-w "$R"; then
	echo "1..0 # SKIP cannot copy the fixture roots to $R"
	exit 77
fi

while IFS=$'\t' read -r case cpuid want; do
	case $case in '#'* | '') continue ;; esac
	root=$R/$case
	HV_CHECK_CPUID=$cpuid "$HVC" check --root "$root" >"$TMP/$case.txt" 2>"$TMP/$case.err"
	rc=$?
	[ "$rc" = "$want" ]
	ok $? "$case: exit status $rc (want $want)"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$TMP/$case.txt" "$D/golden/$case.txt"
	fi
	diff -u "$D/golden/$case.txt" "$TMP/$case.txt" >"$TMP/$case.diff"
	ok $? "$case: output equals golden/$case.txt"
	head -20 "$TMP/$case.diff" | sed 's/^/# /'
	HV_CHECK_CPUID=$cpuid "$HVC" check --root "$root" --json >"$TMP/$case.json"
	$PY -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert a["schema_version"] == 1
if a["verdict"] != "not_a_guest":
    for f in a["features"]:
        assert set(["id", "name", "expected", "present", "working", "problem", "remedy"]) <= set(f), f
        assert f["expected"] in (True, False, None)
    lb = a["live_backup"]
    assert set(["verdict", "mountinfo", "error", "mounts", "freeze_order", "hooks", "hooks_not_run", "problems"]) <= set(lb), lb
    assert lb["verdict"] in ("ok", "problems", "unknown")
    assert (lb["verdict"] == "problems") == bool(lb["problems"])
    if lb["mounts"] is not None:
        assert all(m["verdict"] in ("will-freeze", "risky", "skipped") for m in lb["mounts"])
        assert all((m["reason"] is None) == (m["verdict"] == "will-freeze") for m in lb["mounts"])
        assert set(lb["freeze_order"]) <= set(m["mountpoint"] for m in lb["mounts"] if m["verdict"] != "skipped")
    assert a["verdict"] == ("problems" if a["problems"] else "healthy")
' "$TMP/$case.json"
	ok $? "$case: JSON is valid and carries the documented fields"
done <"$D/cases.tsv"

# Specific detections, from the JSON.
jq_() { HV_CHECK_CPUID="${2:-Microsoft Hv}" "$HVC" check --root "$R/$1" --json | $PY -c "import json,sys; a=json.load(sys.stdin); r=($3); print(r if isinstance(r, str) else repr(r))"; }
[ "$(jq_ centos65-lis41-2012r2 'Microsoft Hv:9600' 'a["system"]["lis"], a["system"]["lis_version"], a["map"]["availability"], a["host"]["id"], a["host"]["from"]')" = "(True, '4.1.3', 'LIS 4.1', 'WS2012R2', 'cpuid')" ]
ok $? "CentOS 6.5: downloaded LIS 4.1.3 -> LIS 4.1 column; host 2012 R2 from CPUID"
[ "$(jq_ centos511-2008r2 '' 'a["host"]["id"], a["host"]["boot_log_format"], a["system"]["from"]')" = "('WS2008R2', 'old', 'redhat-release')" ]
ok $? "CentOS 5.11: redhat-release; host 2008 R2 from the old boot-log format"
[ "$(jq_ rhel92-2022 '' 'a["host"]["id"], a["host"]["boot_log_format"]')" = "('WS2022', 'host')" ]
ok $? "RHEL 9.2: host 2022 from the 'Hyper-V: Host Build' kmsg line"
[ "$(jq_ rhel10-2025-uio '' 'a["host"]["id"], a["host"]["boot_log_format"], a["vm"]["file_copy"], a["vm"]["generation"], a["vm"]["secure_boot"]')" = "('WS2025', 'hypervisor', 'uio', 2, True)" ]
ok $? "RHEL 10: 2025 from 'Hypervisor Build', file copy on UIO, Gen2, Secure Boot on"
[ "$(jq_ ubuntu2204-azure '' 'a["host"]["id"], a["host"]["from"], a["host"]["kvp_records"]')" = "(None, 'kvp pool 3', 4)" ]
ok $? "Ubuntu on Azure: KVP pool 3 read, host left unknown (10.0 says only 2016 or newer)"
[ "$(jq_ debian12-gen2-uio '' 'a["map"], [f["problem"] for f in a["features"] if f["id"]=="file_copy"]')" = "(None, [True])" ]
ok $? "Debian 12: not in the map; file copy on UIO without a daemon is a problem"
[ "$(jq_ debian12-gen2-uio '' 'a["host"]["id"], a["host"]["from"], a["host"]["vmbus_version"]')" = "('WS2019', 'vmbus version', '5.2')" ]
ok $? "Debian 12: no build in the boot log; VMBus 5.2 names the 2019 host"
[ "$(jq_ gen2-sb-unsigned '' 'a["system"]["unsigned_modules"]')" = "hv_netvsc, hv_storvsc" ]
ok $? "Gen2 with Secure Boot: unsigned modules found"
[ "$(jq_ rhel73-lis-stale-gen1 'Microsoft Hv:14393' 'a["system"]["lis"], a["system"]["lis_other_kernels"]')" = "(False, '3.10.0-327.el7.x86_64')" ]
ok $? "RHEL 7.3: LIS modules only for a kernel that is not running"
[ "$(jq_ rhel86-2019-fc '' '[(f["present"], f["working"], f["problem"], f["detail"]) for f in a["features"] if f["id"]=="virtual_fibre_channel"]')" = "[(True, False, True, 'no LUN 0 on target3:0:1')]" ]
ok $? "RHEL 8.6 with Fibre Channel: a target without LUN 0 is a problem (note 3)"
[ "$(jq_ rhel92-2022 '' '[(f["working"], f["problem"]) for f in a["features"] if f["id"]=="static_ip_injection"]')" = "[(True, False)]" ]
ok $? "RHEL 9.2: NetworkManager runs but leaves eth* unmanaged (conf.d): note 2 satisfied"
[ "$(jq_ centos65-lis41-2012r2 'Microsoft Hv:9600' '[(f["working"], f["problem"]) for f in a["features"] if f["id"]=="static_ip_injection"]')" = "[(False, True)]" ]
ok $? "CentOS 6.5: NetworkManager manages eth0 (no NM_CONTROLLED=no): note 2 problem"
[ "$(jq_ rhel77-vcpus-oldkernel '' '[(f["expected"], f["present"], f["detail"]) for f in a["features"] if f["id"]=="vcpus_gt_256"]')" = "[(False, True, '384 vCPUs')]" ]
ok $? "RHEL 7.7 with 384 vCPUs on kernel 1062 (< 1062.4.1): note 16 makes >256 vCPUs unsupported"
[ "$(jq_ rhel76-lis43-gen1 '' 'a["map"]["column"], a["map"]["availability"]')" = "('7.5-7.7', 'LIS 4.3')" ]
ok $? "RHEL 7.6 with LIS 4.3.4 modules: the map's LIS 4.3 column"
[ "$(jq_ centos68-builtin '' '[f["remedy"] for f in a["features"] if f["id"]=="kvp"]')" = "['note 12 (D_2023): dnf/yum install hyperv-daemons']" ]
ok $? "CentOS 6.8 built in without the KVP daemon: note 12's remedy"
HV_CHECK_CPUID=none "$HVC" check --root "$D/roots/not-a-guest" --json >"$TMP/nag.json"
[ $? = 2 ] && grep -q '"verdict": "not_a_guest"' "$TMP/nag.json"
ok $? "KVM machine: exit 2, verdict not_a_guest"
HV_CHECK_CPUID=none "$HVC" check --root "$D/roots/rhel92-2022" >/dev/null
[ $? = 0 ]
ok $? "VMBus devices make a guest even when CPUID says otherwise (nested, odd hypervisor bits)"

# Live backup section: what a host backup would do, by the rules hv-vssd uses (lib/freezeplan).
# rhel92-2022 is healthy (the daemon's own table), rhel86-2019-fc a risky/unfreezable mix
# (proc/self), debian12-gen2-uio root on ZFS (proc/1: nothing would be frozen).
lb() { jq_ "$1" "${3:-}" "$2"; }
[ "$(lb rhel92-2022 'a["live_backup"]["verdict"], a["live_backup"]["mountinfo"], a["live_backup"]["freeze_order"], a["live_backup"]["problems"]')" = "('ok', 'proc/703/mountinfo', ['/home', '/boot', '/'], [])" ]
ok $? "RHEL 9.2: live backup ok from the VSS daemon's mount table; freeze order reverse with / last"
[ "$(lb rhel92-2022 '[(m["mountpoint"], m["verdict"], m["reason"]) for m in a["live_backup"]["mounts"] if m["mountpoint"] in ("/srv", "/boot/efi", "/run")]')" = "[('/run', 'skipped', 'memory filesystem (tmpfs)'), ('/boot/efi', 'skipped', 'FAT (EFI system partition): not frozen, as the reference daemon (vfat)'), ('/srv', 'skipped', \"same device as '/home'\")]" ]
ok $? "RHEL 9.2: tmpfs, the EFI partition and a second mount of /home's volume are skipped, with why"
[ "$(lb rhel92-2022 'a["live_backup"]["hooks"], a["live_backup"]["hooks_not_run"]')" = "([{'path': '/etc/hvguest/vss-hooks.d/10-postgres', 'kind': 'hv-vssd', 'freeze_arg': 'freeze', 'thaw_arg': 'thaw'}], [])" ]
ok $? "RHEL 9.2: our hook listed as the guest sees it; the .rpmsave leftover ignored"
[ "$(lb rhel92-2022 '[(f["present"], f["working"], f["problem"]) for f in a["features"] if f["id"]=="live_backup"]')" = "[(True, True, False)]" ]
ok $? "RHEL 9.2: the Live Backup feature row is working"
[ "$(lb rhel86-2019-fc 'a["live_backup"]["verdict"], a["live_backup"]["mountinfo"], a["live_backup"]["freeze_order"]')" = "('problems', 'proc/self/mountinfo', ['/var/lib/pgsql', '/data', '/boot', '/'])" ]
ok $? "RHEL 8.6: no table for the daemon's pid, proc/self used; the risky NTFS disk is in the freeze order"
[ "$(lb rhel86-2019-fc 'dict((m["mountpoint"], (m["verdict"], m["reason"])) for m in a["live_backup"]["mounts"])["/data"], [m["reason"] for m in a["live_backup"]["mounts"] if m["mountpoint"] in ("/scratch", "/etc/resolv.conf", "/backup", "/home/ops/remote", "/mnt/share")]')" = "(('risky', \"unknown filesystem type 'ntfs3': FIFREEZE may fail\"), ['read-only', 'network filesystem (nfs4)', 'FUSE filesystem (fuse.sshfs)', 'bind mount of a file', \"excluded by '/scratch'\"])" ]
ok $? "RHEL 8.6: risky ntfs3; read-only, NFS, sshfs, a bind-mounted file and exclude= of hvguest.conf skipped"
[ "$(lb rhel86-2019-fc '[m["reason"] for m in a["live_backup"]["mounts"] if m["mountpoint"] == "/var/lib/images"]')" = "['loop device (name it in include= to freeze it)']" ]
ok $? "RHEL 8.6: a loop-backed ext4 image is skipped"
[ "$(lb rhel86-2019-fc '[(h["kind"], h["path"]) for h in a["live_backup"]["hooks"]], a["live_backup"]["hooks_not_run"]')" = "([('hv-vssd', '/etc/hvguest/vss-hooks.d/10-pgsql'), ('qemu-ga', '/etc/qemu/fsfreeze-hook.d/mysql-flush.sh'), ('open-vm-tools', '/etc/vmware-tools/backupScripts.d/50-app')], [{'path': '/etc/hvguest/vss-hooks.d/20-notes', 'why': 'not executable'}])" ]
ok $? "RHEL 8.6: hooks of all three folders in run order; a non-executable file is not run, with why"
[ "$(lb rhel86-2019-fc '[(f["working"], f["problem"], "/data" in f["detail"], f["remedy"].startswith("exclude = MOUNTPOINT")) for f in a["features"] if f["id"]=="live_backup"]')" = "[(False, True, True, True)]" ]
ok $? "RHEL 8.6: the risky mount makes the Live Backup row a problem, with a remedy"
[ "$(lb debian12-gen2-uio 'a["live_backup"]["mountinfo"], a["live_backup"]["freeze_order"], a["live_backup"]["problems"]')" = "('proc/1/mountinfo', [], ['nothing would be frozen: snapshots are only crash-consistent'])" ]
ok $? "Debian 12 on ZFS: init's table; nothing would be frozen is a problem"
[ "$(lb ubuntu2204-azure 'a["live_backup"]["verdict"], a["live_backup"]["mounts"], a["live_backup"]["error"]')" = "('unknown', None, 'no mount table under the root (proc/703/mountinfo, proc/self/mountinfo, proc/1/mountinfo)')" ]
ok $? "a root without a mount table: verdict unknown, said why, nothing claimed"

# The same plan as hv-vssd --check on the same guest (one implementation, two programs).
if [ -x "$BIN/hv-vssd" ]; then
	r86=$R/rhel86-2019-fc
	"$BIN/hv-vssd" --check -c "$r86/etc/hvguest/hvguest.conf" --mountinfo "$r86/proc/self/mountinfo" \
		--root "$r86" --sysfs "$r86/sys" --run-dir "$TMP/run" --hook-dir "$r86/etc/hvguest/vss-hooks.d" \
		--qemu-hook-dir "$r86/etc/qemu/fsfreeze-hook.d" \
		--vmware-hook-dir "$r86/etc/vmware-tools/backupScripts.d" >"$TMP/vssd-check.txt"
	grep -E '^(will-freeze|risky|skipped) ' "$TMP/vssd-check.txt" >"$TMP/vssd-mounts.txt"
	sed -n 's/^  \(will-freeze\|risky\|skipped\) /\1 /p' "$D/golden/rhel86-2019-fc.txt" >"$TMP/hvc-mounts.txt"
	[ -s "$TMP/vssd-mounts.txt" ] && diff -u "$TMP/vssd-mounts.txt" "$TMP/hvc-mounts.txt" >&2
	ok $? "RHEL 8.6: every mount verdict and reason equals hv-vssd --check's"
	[ "$(sed -n 's/^[0-9]*\. //p' "$TMP/vssd-check.txt" | paste -sd, | sed 's/,/, /g')" = "$(sed -n 's/^  freeze order (thaw in reverse): //p' "$D/golden/rhel86-2019-fc.txt")" ]
	ok $? "RHEL 8.6: the freeze order equals hv-vssd --check's"
else
	skip "hv-vssd not built in $BIN: cannot compare with hv-vssd --check"
	skip "hv-vssd not built in $BIN: cannot compare the freeze order"
fi

# No VSS daemon: with /dev/vmbus/hv_vss (the row's old check) and without it (the host still
# offers VSS on VMBus: a problem only the mount-table-aware check can see).
cp -a "$R/rhel92-2022" "$TMP/nodaemon"
rm "$TMP/nodaemon/proc/703/comm"
mkdir -p "$TMP/nodaemon/proc/self" && mv "$TMP/nodaemon/proc/703/mountinfo" "$TMP/nodaemon/proc/self/"
nd() { HV_CHECK_CPUID="Microsoft Hv" "$HVC" check --root "$TMP/nodaemon" --json | $PY -c "import json,sys; a=json.load(sys.stdin); r=($1); print(r if isinstance(r, str) else repr(r))"; }
[ "$(nd 'a["live_backup"]["verdict"], len(a["live_backup"]["problems"]), [(f["problem"], f["detail"].split(";")[0]) for f in a["features"] if f["id"]=="live_backup"]')" = "('problems', 1, [(True, '/dev/vmbus/hv_vss without a daemon')])" ]
ok $? "no VSS daemon with /dev/vmbus/hv_vss: the section and the row say so once"
rm "$TMP/nodaemon/dev/vmbus/hv_vss"
HV_CHECK_CPUID="Microsoft Hv" "$HVC" check --root "$TMP/nodaemon" >"$TMP/nodaemon.txt"
rc=$?
[ $rc = 1 ] && grep -q '^  verdict: PROBLEM the host offers backup (VSS) but no VSS daemon runs' "$TMP/nodaemon.txt" &&
	grep -q '^  - live_backup: 3 will freeze, 0 risky, 7 skipped; the host offers backup (VSS) but no VSS daemon runs.*; do: run the daemon: ' "$TMP/nodaemon.txt"
ok $? "no VSS daemon and no device node while VMBus offers VSS: a problem (exit $rc), remedy from the map"

# The daemon's table wins over ours; a malformed table and a bad [vssd] are said.
cp -a "$R/rhel92-2022" "$TMP/tables"
mkdir -p "$TMP/tables/proc/self"
cp "$R/debian12-gen2-uio/proc/1/mountinfo" "$TMP/tables/proc/self/mountinfo"
HV_CHECK_CPUID="Microsoft Hv" "$HVC" check --root "$TMP/tables" >"$TMP/tables.txt"
[ $? = 0 ] && grep -q '^live backup (.*mounts from proc/703/mountinfo' "$TMP/tables.txt"
ok $? "the VSS daemon's mount table is used, not the one of proc/self"
printf '61 1 253:0 / / rw - xfs /dev/sda2 rw\nthis is not a mount\n' >"$TMP/tables/proc/703/mountinfo"
HV_CHECK_CPUID="Microsoft Hv" "$HVC" check --root "$TMP/tables" >"$TMP/tables.txt"
[ $? = 0 ] && grep -q '^live backup: proc/703/mountinfo line 2 is malformed$' "$TMP/tables.txt" &&
	grep -q '^  verdict: unknown' "$TMP/tables.txt"
ok $? "a malformed mount table: its line named, verdict unknown, no crash"
cp "$R/rhel92-2022/proc/703/mountinfo" "$TMP/tables/proc/703/mountinfo"
mkdir -p "$TMP/tables/etc/hvguest" && printf '[vssd]\nlegacy_hooks = maybe\n' >"$TMP/tables/etc/hvguest/hvguest.conf"
HV_CHECK_CPUID="Microsoft Hv" "$HVC" check --root "$TMP/tables" >"$TMP/tables.txt"
[ $? = 1 ] && grep -q "^  verdict: PROBLEM hv-vssd would refuse its configuration: /etc/hvguest/hvguest.conf: \[vssd\] legacy_hooks: yes or no" "$TMP/tables.txt"
ok $? "a [vssd] section hv-vssd would refuse is a problem"
HV_CHECK_CPUID="Microsoft Hv" "$HVC" check --root "$R/rhel86-2019-fc" --prometheus "$TMP/lb.prom" >/dev/null
grep -q '^hv_check_feature_ok{feature="live_backup"} 0$' "$TMP/lb.prom" &&
	grep -q '^hv_check_live_backup_mounts{verdict="will-freeze"} 3$' "$TMP/lb.prom" &&
	grep -q '^hv_check_live_backup_mounts{verdict="risky"} 1$' "$TMP/lb.prom" &&
	grep -q '^hv_check_live_backup_mounts{verdict="skipped"} 11$' "$TMP/lb.prom" &&
	grep -q '^hv_check_live_backup_hooks 3$' "$TMP/lb.prom"
ok $? "Prometheus textfile: the live backup row and the mount and hook counts"

# Prometheus textfile
HV_CHECK_CPUID="Microsoft Hv" "$HVC" check --root "$D/roots/rhel72-2016-hotadd-off" --prometheus "$TMP/hv.prom" >/dev/null
grep -q '^hv_check_problems 1$' "$TMP/hv.prom" && grep -q '^hv_check_feature_ok{feature="dm_hot_add"} 0$' "$TMP/hv.prom" &&
	grep -q '^hv_check_host_build 14393$' "$TMP/hv.prom"
ok $? "Prometheus textfile: problems, per-feature state, host build"

# --fix inside a copy of the root: shows the remedy, writes the udev rule, then the check passes.
cp -a "$D/roots/rhel72-2016-hotadd-off" "$TMP/fixroot"
real_before=$(ls -l /etc/udev/rules.d 2>/dev/null | md5sum)
HV_CHECK_CPUID="Microsoft Hv" "$HVC" check --root "$TMP/fixroot" --fix >"$TMP/fix.txt"
rc=$?
grep -q 'fix for dm_hot_add: create .*/etc/udev/rules.d/100-balloon.rules containing' "$TMP/fix.txt" &&
	grep -q '^fixed: wrote /etc/udev/rules.d/100-balloon.rules' "$TMP/fix.txt"
ok $? "--fix shows the remedy before applying it"
[ "$(cat "$TMP/fixroot/etc/udev/rules.d/100-balloon.rules")" = 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}="online"' ]
ok $? "--fix wrote the hot-add rule of note 8 inside the root"
[ $rc = 0 ] && grep -q '^verdict: HEALTHY' "$TMP/fix.txt"
ok $? "after --fix the guest is healthy (exit $rc)"
[ ! -e "$D/roots/rhel72-2016-hotadd-off/etc/udev/rules.d/100-balloon.rules" ] &&
	[ "$(ls -l /etc/udev/rules.d 2>/dev/null | md5sum)" = "$real_before" ]
ok $? "--fix touched neither the fixture nor the real /etc"
HV_CHECK_CPUID="Microsoft Hv:9600" "$HVC" check --root "$D/roots/centos65-lis41-2012r2" --fix >"$TMP/nofix.txt"
grep -q 'nothing that --fix can repair safely' "$TMP/nofix.txt"
ok $? "--fix does not touch what is not safe to repair (NetworkManager config)"

# Related distributions are not guessed; an os-release without VERSION_ID is said so.
cp -a "$D/roots/rhel92-2022" "$TMP/alma"
printf 'ID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.2"\n' >"$TMP/alma/etc/os-release"
HV_CHECK_CPUID="Microsoft Hv" "$HVC" check --root "$TMP/alma" >"$TMP/alma.txt"
grep -q 'not in the map: the map has no table for almalinux (ID_LIKE=rhel centos fedora' "$TMP/alma.txt"
ok $? "AlmaLinux: not in the map, RHEL's table not presented as its own"
printf 'ID=debian\nPRETTY_NAME="Debian trixie/sid"\n' >"$TMP/alma/etc/os-release"
HV_CHECK_CPUID="Microsoft Hv" "$HVC" check --root "$TMP/alma" >"$TMP/sid.txt"
grep -q 'not in the map: os-release names debian but no VERSION_ID' "$TMP/sid.txt"
ok $? "Debian sid without VERSION_ID: said so"

# Bad input
"$HVC" check --root "$TMP/does-not-exist" >/dev/null 2>"$TMP/e"
[ $? = 3 ] && grep -q 'cannot open root' "$TMP/e"
ok $? "missing root: error exit 3"
mkdir -p "$TMP/unreadable/sys/bus/vmbus/devices/x" && echo '{zz}' >"$TMP/unreadable/sys/bus/vmbus/devices/x/class_id"
chmod 000 "$TMP/unreadable/sys/bus/vmbus/devices/x/class_id"
HV_CHECK_CPUID="Microsoft Hv" "$HVC" check --root "$TMP/unreadable" >"$TMP/u.txt" 2>&1
[ $? -le 1 ] && grep -q 'not in the map' "$TMP/u.txt"
ok $? "unreadable sysfs files and no os-release: an answer, no crash"

tap_done
