-- Authentication-Results fields claiming our authserv-id are removed (folded, odd case,
-- with a comment, repeated); another authserv-id's field stays; ours goes on top.
local T = dofile(os.getenv("MILTER_DIR") .. "/common.lua")
T.main(function()
	local conn, r = T.run({ client_ip = "198.51.100.5", mailfrom = "bounce@aligned.auth.test",
				message = T.msg("forged-ar") })
	T.check("forged A-R does not make it pass: 550", T.rejected(conn, r, "aligned.auth.test"))
	mt.disconnect(conn)

	conn, r = T.run({ client_ip = "192.0.2.10", mailfrom = "bounce@aligned.auth.test",
			  message = T.msg("forged-ar") })
	T.check("accepted", T.accepted(r))
	T.check("forged fields deleted", mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results"))
	local ar = T.our_authres(conn)
	T.check("ours inserted, computed here", T.has(ar, "spf=pass") and T.has(ar, "dmarc=pass"))
	T.check("ours at the top", mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results", ar, 0))
	mt.disconnect(conn)
end)
