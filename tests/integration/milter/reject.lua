-- DMARC p=reject: forged From is refused with 550 5.7.1 naming the domain; so is a message
-- signed only by a third party; p=reject off lets it through with dmarc=fail.
local T = dofile(os.getenv("MILTER_DIR") .. "/common.lua")

T.main(function()
	local conn, r = T.run({ client_ip = "198.51.100.5", mailfrom = "bounce@aligned.auth.test",
				message = T.msg("aligned") })
	T.check("forged From: 550 5.7.1 naming the domain", T.rejected(conn, r, "aligned.auth.test"))
	mt.disconnect(conn)

	conn, r = T.run({ client_ip = "192.0.2.20", mailfrom = "owner@list.auth.test",
			  message = T.msg("aligned-listsigned") })
	T.check("third-party signature only: 550 5.7.1", T.rejected(conn, r, "aligned.auth.test"))
	mt.disconnect(conn)

	conn, r = T.run({ client_ip = "192.0.2.20", mailfrom = "owner@list.auth.test",
			  message = T.msg("twofrom") })
	T.check("a second From field: 550 5.7.1 by the From rule (reject_bad_from, the default)",
		r == SMFIR_REPLYCODE and mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
			"Message rejected: the From header field is repeated; exactly one author address is required"))
	mt.disconnect(conn)

	conn, r = T.run({ client_ip = "198.51.100.5", mailfrom = "bounce@aligned.auth.test",
			  message = T.msg("bigheader") })
	T.check("headers over max_header_bytes: From still judged, 550", T.rejected(conn, r, "aligned.auth.test"))
	mt.disconnect(conn)

	conn, r = T.run({ milter = "MILTER_SOFT", client_ip = "198.51.100.5",
			  mailfrom = "bounce@aligned.auth.test", message = T.msg("aligned") })
	T.check("dmarc_reject = no: accepted", T.accepted(r))
	T.check("dmarc_reject = no: A-R says dmarc=fail", T.has(T.our_authres(conn), "dmarc=fail"))
	mt.disconnect(conn)
end)
