# SPDX-License-Identifier: MIT
# Parse NetworkManager keyfiles with libnm's own reader; any warning or error fails.
import sys, gi
gi.require_version("NM", "1.0")
from gi.repository import NM, GLib
rc = 0
for path in sys.argv[1:]:
    problems = []
    def handler(kf, con, htype, hdata, user):
        if htype == NM.KeyfileHandlerType.WARN:
            problems.append(hdata.get_message() if hasattr(hdata, "get_message") else "warning")
        return False
    kf = GLib.KeyFile()
    try:
        kf.load_from_file(path, GLib.KeyFileFlags.NONE)
        con = NM.keyfile_read(kf, "/etc/NetworkManager/system-connections", NM.KeyfileHandlerFlags.NONE, handler, None)
        con.verify()
    except Exception as e:
        problems.append(str(e))
    if problems:
        print("FAIL", path, "; ".join(problems)); rc = 1
    else:
        s4 = con.get_setting_ip4_config()
        print("ok", path, con.get_id(), s4.get_method())
sys.exit(rc)
