# SPDX-License-Identifier: MIT
# hv-check: the feature map data is embedded with .incbin, so its object depends on the files.
HVC_DATA := $(wildcard data/featuremap/*.tsv)
$(O)/src/hv-check/hvc_data.o: $(HVC_DATA)
build/fuzz/fuzz-hv-check-%: $(HVC_DATA)
