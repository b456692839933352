-- DNS that never answers: 451 4.7.x by default, never 5xx; accept and tag when configured.
local T = dofile(os.getenv("MILTER_DIR") .. "/common.lua")
T.main(function()
	local t = { milter = "MILTER_DEAD", client_ip = "198.51.100.5", mailfrom = "bounce@aligned.auth.test",
		    message = T.msg("aligned-signed") }
	local conn, r = T.run(t)
	T.check("timeout: 451 4.7.1", r == SMFIR_REPLYCODE and
		mt.eom_check(conn, MT_SMTPREPLY, "451", "4.7.1", T.temperror_text("aligned.auth.test")))
	T.check("timeout: not 550", not mt.eom_check(conn, MT_SMTPREPLY, "550"))
	mt.disconnect(conn)

	t.milter = "MILTER_DEAD_ACCEPT"
	conn, r = T.run(t)
	T.check("on_temperror = accept: accepted", T.accepted(r))
	T.check("on_temperror = accept: tagged", T.has(mt.getheader(conn, "X-Mxguard-Verdict", 0), "temperror"))
	T.check("on_temperror = accept: A-R says temperror", T.has(T.our_authres(conn), "temperror"))
	mt.disconnect(conn)
end)
