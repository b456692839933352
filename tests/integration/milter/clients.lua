-- Who is checked: trusted networks not at all, authenticated submissions skipped (forged A-R
-- still removed) or softened, internal hosts checked but never refused.
local T = dofile(os.getenv("MILTER_DIR") .. "/common.lua")
T.main(function()
	local conn = T.connect()
	T.check("trusted (loopback): accepted at connect",
		T.conninfo(conn, { client_ip = "127.0.0.1" }) == SMFIR_ACCEPT)
	mt.disconnect(conn)

	local forged = { client_ip = "198.51.100.5", mailfrom = "bounce@aligned.auth.test",
			 message = T.msg("forged-ar"), auth = "alice" }
	local r
	conn, r = T.run(forged)
	T.check("authenticated: accepted despite p=reject", T.accepted(r))
	T.check("authenticated: no A-R of ours", not mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results"))
	T.check("authenticated: forged A-R still removed", mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results"))
	mt.disconnect(conn)

	forged.milter = "MILTER_SOFT"
	conn, r = T.run(forged)
	T.check("authenticated, soften: accepted", T.accepted(r))
	T.check("authenticated, soften: A-R says dmarc=fail", T.has(T.our_authres(conn), "dmarc=fail"))
	mt.disconnect(conn)

	conn, r = T.run({ milter = "MILTER_SOFT", client_ip = "203.0.113.7", mailfrom = "bounce@quar.auth.test",
			  message = T.msg("quar") })
	T.check("internal host: accepted", T.accepted(r))
	T.check("internal host: not quarantined", not mt.eom_check(conn, MT_QUARANTINE))
	T.check("internal host: reported", T.has(T.our_authres(conn), "dmarc=fail"))
	mt.disconnect(conn)
end)
