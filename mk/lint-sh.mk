# SPDX-License-Identifier: MIT
# make lint-shell: shellcheck (warnings and errors) on every shell script git tracks: *.sh and
# *.bash, the scripts without a suffix that start with a sh/bash/dash "#!" line (scripts/,
# tests/run, .ci/run, .ci/stages/, packaging/), and the shell libraries the tests source
# (tests/lib/*.sh and *.inc, as bash).  A library sets variables for the script that sources it and uses the
# script's, so SC2034 (assigned, unused) and SC2154 (used, unassigned) are off for those only.
# A tracked file missing from the work tree is skipped.
.PHONY: lint-shell
SHELLCHECK ?= shellcheck
lint-shell:
	@command -v $(SHELLCHECK) >/dev/null || \
		{ echo "lint-shell: shellcheck is missing (scripts/setup installs it)" >&2; exit 1; }
	@files=$$( { git ls-files '*.sh' '*.bash' | grep -v '^tests/lib/'; \
		git ls-files scripts tests/run .ci/run .ci/stages packaging | while read -r f; do \
			case $$f in *.sh | *.py | *.inc) continue ;; esac; \
			[ -f "$$f" ] && head -n1 "$$f" | grep -qE '^#!.*[/ ](ba|da)?sh([[:space:]]|$$)' \
				&& echo "$$f"; \
		done; } | while read -r f; do [ -f "$$f" ] && echo "$$f"; done | sort -u ); \
	incs=$$(git ls-files '*.inc' 'tests/lib/*.sh' | while read -r f; do [ -f "$$f" ] && echo "$$f"; done); \
	rc=0; \
	echo "lint-shell: $$(echo $$files | wc -w) scripts, $$(echo $$incs | wc -w) sourced libraries"; \
	$(SHELLCHECK) -S warning $$files || rc=1; \
	if [ -n "$$incs" ]; then $(SHELLCHECK) -S warning -s bash -e SC2034,SC2154 $$incs || rc=1; fi; \
	exit $$rc
