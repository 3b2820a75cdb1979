#!/bin/bash
# SPDX-License-Identifier: MIT
# data/featuremap: the copied TSVs still equal the project's shared feature map (when that is
# present), our own files are well-formed, and the binary embeds exactly these files.
. "$(dirname "$0")/../../lib/tap.sh"
HVC=$BIN/hv-check
D=$TOP/data/featuremap
SHARED=$TOP/../shared/data/featuremap
[ -x "$HVC" ] || { echo "1..0 # SKIP hv-check not built"; exit 77; }

for f in support features notes sources detection host_versions; do
	if [ -d "$SHARED" ]; then
		cmp -s "$D/$f.tsv" "$SHARED/$f.tsv"
		ok $? "$f.tsv equals the shared copy"
	else
		skip "$f.tsv: shared feature map not present at $SHARED"
	fi
done
for f in "$D"/*.tsv; do
	awk -F'\t' 'NR==1{n=NF} NF!=n{bad=1} END{exit bad}' "$f"
	ok $? "$(basename "$f"): every row has the header's field count"
done
# The binary embeds the files: the seed row count of support.tsv is what hv-check prints.
rows=$(awk -F'\t' '$1=="A_seed" && $3=="RHEL/CentOS 7.x"' "$D/support.tsv" | wc -l)
cells=$("$HVC" table --distro rhel --series 7.x --source seed --markdown |
	awk -F'|' 'NR>3 && $3!="" {n+=NF-4} END{print n}')
[ "$rows" = "$cells" ]
ok $? "seed 7.x: $rows cells in support.tsv, $cells printed"
# Runs without any data file around it.
(cd "$TMP" && env -i "$HVC" features --distro centos --version 7.1 >/dev/null)
ok $? "hv-check needs no data file at run time"
tap_done
