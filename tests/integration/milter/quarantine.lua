-- DMARC p=quarantine: the milter quarantine action by default, a tag header when configured.
local T = dofile(os.getenv("MILTER_DIR") .. "/common.lua")
T.main(function()
	local t = { client_ip = "198.51.100.5", mailfrom = "bounce@quar.auth.test", message = T.msg("quar") }
	local conn, r = T.run(t)
	T.check("hold: accepted into quarantine", T.accepted(r))
	T.check("hold: quarantine requested naming the domain",
		mt.eom_check(conn, MT_QUARANTINE, "DMARC policy of quar.auth.test is quarantine"))
	T.check("hold: A-R says dmarc=fail", T.has(T.our_authres(conn), "dmarc=fail"))
	mt.disconnect(conn)

	t.milter = "MILTER_SOFT"
	conn, r = T.run(t)
	T.check("tag: accepted", T.accepted(r))
	T.check("tag: not quarantined", not mt.eom_check(conn, MT_QUARANTINE))
	T.check("tag: header added", T.has(mt.getheader(conn, "X-Mxguard-Verdict", 0), "quarantine"))
	mt.disconnect(conn)
end)
