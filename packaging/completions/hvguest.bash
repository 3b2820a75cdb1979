# SPDX-License-Identifier: MIT
# bash completion for hvguest's programs (installed once per program name under
# bash-completion/completions/).  The options come from the program's own --help, so they are
# never out of date; subcommands of hv-kvp, hv-check and hv-sim are listed here.

_hvguest_options() { # program: its long options and single-letter short options, from --help
	"$1" --help 2>&1 |
		grep -oE -- '(^|[][ ,|])(--[a-zA-Z][a-zA-Z0-9-]*|-[a-zA-Z])([^a-zA-Z0-9-]|$)' |
		sed -E 's/^[][ ,|]//; s/[^a-zA-Z0-9-]$//' | sort -u
}

_hvguest() {
	local cur prev prog words_before sub w
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	prog=${COMP_WORDS[0]}
	COMPREPLY=()

	# arguments that are files or folders (-d and -s mean different things per program)
	case ${prog##*/}:$prev in
	*:-c | *:--config | *:--device | *:--mountinfo | *:--uio-irq | *:--prometheus | \
		*:--control | *:--listen)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	hv-kvp:-d | lsvmbus:-s | *:--state-dir | *:--root | *:--sysfs | *:--dev | *:--run-dir | \
		*:--pool-dir | *:--hook-dir | *:--qemu-hook-dir | *:--vmware-hook-dir | *:--allow | \
		*:--fuse)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return
		;;
	*:--hook-failure)
		mapfile -t COMPREPLY < <(compgen -W "abort continue" -- "$cur")
		return
		;;
	hv-sim:-s | *:--service)
		mapfile -t COMPREPLY < <(compgen -W "kvp vss fcopy" -- "$cur")
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_hvguest_options "$prog")" -- "$cur")
		return
	fi

	# the first word that is not an option is a subcommand
	words_before=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
	sub=
	for w in "${words_before[@]}"; do
		[[ $w == -* ]] || { sub=$w; break; }
	done
	if [ -z "$sub" ]; then
		case ${prog##*/} in
		hv-kvp) mapfile -t COMPREPLY < <(compgen -W "get set del list watch scrub" -- "$cur") ;;
		hv-check) mapfile -t COMPREPLY < <(compgen -W "features table compare check" -- "$cur") ;;
		hv-sim) mapfile -t COMPREPLY < <(compgen -W "responder ctl fcopy-uio" -f -- "$cur") ;;
		esac
	fi
}

complete -F _hvguest hv-kvpd hv-vssd hv-fcopyd lsvmbus hv-kvp hv-check hv-sim \
	hv_kvp_daemon hv_vss_daemon hv_fcopy_daemon hv_fcopy_uio_daemon
