# SPDX-License-Identifier: MIT
# hv-sim: the simulated Hyper-V host.  FUSE device files need libfuse3 (scripts/packages.d/
# hv-sim.list); mk/install.mk installs the program and man/hv-sim.1 with the others.
FUSE3_CFLAGS := $(shell pkg-config --cflags fuse3 2>/dev/null)
FUSE3_LIBS := $(shell pkg-config --libs fuse3 2>/dev/null || echo -lfuse3 -lpthread)
LDLIBS_hv-sim := $(FUSE3_LIBS)
$(O)/src/hv-sim/%.o: CPPFLAGS += $(FUSE3_CFLAGS)
$(O)/fuzz/fuzz-hv-sim-%.o $(O)/tests/unit/test-hv-sim-%.o: CPPFLAGS += $(FUSE3_CFLAGS)
# libFuzzer builds compile every hv-sim module (sim_fuse.c needs the fuse3 headers)
build/fuzz/fuzz-hv-sim-%: CPPFLAGS_ALL += $(FUSE3_CFLAGS)
