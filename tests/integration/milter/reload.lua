-- One forged-From message under p=reject, judged by whatever configuration the milter holds
-- now: MILTER_RELOAD_EXPECT says which (reject: dmarc_reject = yes, accept: = no). Run by the
-- reload part of milter-miltertest.sh between SIGUSR1s, not by the loop over all scripts.
local T = dofile(os.getenv("MILTER_DIR") .. "/common.lua")
local expect = os.getenv("MILTER_RELOAD_EXPECT")

T.main(function()
	local conn, r = T.run({ milter = "MILTER_RELOAD", client_ip = "198.51.100.5",
				mailfrom = "bounce@aligned.auth.test", message = T.msg("aligned") })
	if expect == "reject" then
		T.check("forged From under dmarc_reject = yes: 550", T.rejected(conn, r, "aligned.auth.test"))
	else
		T.check("forged From under dmarc_reject = no: accepted", T.accepted(r))
		T.check("forged From under dmarc_reject = no: A-R says dmarc=fail",
			T.has(T.our_authres(conn), "dmarc=fail"))
	end
	mt.disconnect(conn)
end)
