# SPDX-License-Identifier: MIT
# hv-check: the feature map data is embedded with .incbin, so its object depends on the files.
HVC_DATA := $(wildcard data/featuremap/*.tsv)
$(O)/src/hv-check/hvc_data.o: $(HVC_DATA)
build/fuzz/fuzz-hv-check-%: $(HVC_DATA)

install: install-hv-check
.PHONY: install-hv-check
install-hv-check: $(O)/bin/hv-check
	install -D -m 0755 $(O)/bin/hv-check $(DESTDIR)$(sbindir)/hv-check
	install -D -m 0644 man/hv-check.8 $(DESTDIR)$(mandir)/man8/hv-check.8
