# SPDX-License-Identifier: MIT
# make install: programs, reference-name links, man pages, example configuration, systemd
# units with their alias links, udev rules, bash completions.  PREFIX, DESTDIR, bindir,
# sbindir, mandir, sysconfdir, unitdir, udevrulesdir, docdir and bashcompdir can all be set on
# the command line.  make uninstall removes all of it except a changed hvguest.conf.
# Each $(foreach) expands to one shell line "a && b && ... && :", so any failing step fails.
unitdir      ?= $(PREFIX)/lib/systemd/system
udevrulesdir ?= $(PREFIX)/lib/udev/rules.d
docdir       ?= $(PREFIX)/share/doc/hvguest
bashcompdir  ?= $(PREFIX)/share/bash-completion/completions

# Administrators' tools (their pages are in section 8) go to sbindir, the others to bindir.
SBIN_PROGS := $(filter hv-kvpd hv-vssd hv-fcopyd lsvmbus hv-check,$(PROGS))
BIN_PROGS  := $(filter-out $(SBIN_PROGS),$(PROGS))

# reference name -> our program
REF_LINKS := hv_kvp_daemon:hv-kvpd hv_vss_daemon:hv-vssd hv_fcopy_daemon:hv-fcopyd \
	hv_fcopy_uio_daemon:hv-fcopyd
# unit alias -> our unit (every name distros use for the reference daemons' units)
UNIT_ALIASES := hv-kvp-daemon:hv-kvpd hypervkvpd:hv-kvpd hv_kvp_daemon:hv-kvpd \
	hv-vss-daemon:hv-vssd hypervvssd:hv-vssd hv_vss_daemon:hv-vssd \
	hv-fcopy-daemon:hv-fcopyd hypervfcopyd:hv-fcopyd hv_fcopy_daemon:hv-fcopyd \
	hv_fcopy_uio_daemon:hv-fcopyd hv-fcopy-uio-daemon:hv-fcopyd

UNITS := $(patsubst packaging/systemd/%.service.in,%,$(wildcard packaging/systemd/*.service.in))

.PHONY: install uninstall
install: all
	install -d $(DESTDIR)$(sbindir) $(DESTDIR)$(bindir) $(DESTDIR)$(unitdir) \
		$(DESTDIR)$(udevrulesdir) $(DESTDIR)$(docdir)
	$(foreach p,$(SBIN_PROGS),install -m 0755 $(O)/bin/$(p) $(DESTDIR)$(sbindir)/$(p) &&) :
	$(foreach p,$(BIN_PROGS),install -m 0755 $(O)/bin/$(p) $(DESTDIR)$(bindir)/$(p) &&) :
	$(foreach l,$(REF_LINKS),$(if $(filter $(word 2,$(subst :, ,$(l))),$(PROGS)),\
		ln -sf $(word 2,$(subst :, ,$(l))) $(DESTDIR)$(sbindir)/$(word 1,$(subst :, ,$(l))) &&)) :
	$(foreach u,$(UNITS),$(if $(filter $(u),$(PROGS)),\
		sed 's|@sbindir@|$(sbindir)|g; s|@bindir@|$(bindir)|g' packaging/systemd/$(u).service.in \
		> $(DESTDIR)$(unitdir)/$(u).service && chmod 0644 $(DESTDIR)$(unitdir)/$(u).service &&)) :
	$(foreach a,$(UNIT_ALIASES),$(if $(filter $(word 2,$(subst :, ,$(a))),$(PROGS)),\
		ln -sf $(word 2,$(subst :, ,$(a))).service \
		$(DESTDIR)$(unitdir)/$(word 1,$(subst :, ,$(a))).service &&)) :
	install -m 0644 packaging/udev/60-hvguest.rules $(DESTDIR)$(udevrulesdir)/60-hvguest.rules
	for m in man/*.[1-8]; do \
		[ -f "$$m" ] || continue; s=$${m##*.}; \
		install -d $(DESTDIR)$(mandir)/man$$s && \
		install -m 0644 $$m $(DESTDIR)$(mandir)/man$$s/ || exit 1; \
	done
	install -d $(DESTDIR)$(sysconfdir)/hvguest
	install -m 0644 packaging/hvguest.conf $(DESTDIR)$(docdir)/hvguest.conf.example
	[ -e $(DESTDIR)$(sysconfdir)/hvguest/hvguest.conf ] || \
		install -m 0644 packaging/hvguest.conf $(DESTDIR)$(sysconfdir)/hvguest/hvguest.conf
	install -m 0644 README.md $(DESTDIR)$(docdir)/README.md
	install -d $(DESTDIR)$(bashcompdir)
	$(foreach p,$(PROGS),install -m 0644 packaging/completions/hvguest.bash \
		$(DESTDIR)$(bashcompdir)/$(p) &&) :
	$(foreach l,$(REF_LINKS),$(if $(filter $(word 2,$(subst :, ,$(l))),$(PROGS)),\
		ln -sf $(word 2,$(subst :, ,$(l))) $(DESTDIR)$(bashcompdir)/$(word 1,$(subst :, ,$(l))) &&)) :

uninstall:
	rm -f $(foreach p,$(SBIN_PROGS),$(DESTDIR)$(sbindir)/$(p)) \
		$(foreach p,$(BIN_PROGS),$(DESTDIR)$(bindir)/$(p)) \
		$(foreach l,$(REF_LINKS),$(DESTDIR)$(sbindir)/$(word 1,$(subst :, ,$(l)))) \
		$(foreach u,$(UNITS),$(DESTDIR)$(unitdir)/$(u).service) \
		$(foreach a,$(UNIT_ALIASES),$(DESTDIR)$(unitdir)/$(word 1,$(subst :, ,$(a))).service) \
		$(DESTDIR)$(udevrulesdir)/60-hvguest.rules \
		$(foreach p,$(PROGS),$(DESTDIR)$(bashcompdir)/$(p)) \
		$(foreach l,$(REF_LINKS),$(DESTDIR)$(bashcompdir)/$(word 1,$(subst :, ,$(l)))) \
		$(DESTDIR)$(docdir)/README.md $(DESTDIR)$(docdir)/hvguest.conf.example
	for m in man/*.[1-8]; do \
		[ -f "$$m" ] || continue; rm -f "$(DESTDIR)$(mandir)/man$${m##*.}/$${m##*/}"; \
	done
	if cmp -s packaging/hvguest.conf $(DESTDIR)$(sysconfdir)/hvguest/hvguest.conf; then \
		rm -f $(DESTDIR)$(sysconfdir)/hvguest/hvguest.conf; \
	fi
	-rmdir $(DESTDIR)$(docdir) $(DESTDIR)$(sysconfdir)/hvguest 2>/dev/null
