-- mode = rollout refuses nothing: with DNS that never answers (no 451), a forged From under
-- p=reject (no 550; the A-R says dis=none, the disposition applied), a repeated From field.
-- Each is accepted with the tag field saying what enforcing would have done.
local T = dofile(os.getenv("MILTER_DIR") .. "/common.lua")

local function tag(conn)
	return mt.getheader(conn, "X-Mxguard-Verdict", 0)
end

T.main(function()
	local conn, r = T.run({ milter = "MILTER_ROLLOUT_DEAD", client_ip = "198.51.100.5",
				mailfrom = "bounce@aligned.auth.test", message = T.msg("aligned-signed") })
	T.check("dead DNS: accepted", T.accepted(r))
	T.check("dead DNS: no 451", not mt.eom_check(conn, MT_SMTPREPLY, "451"))
	T.check("dead DNS: tagged would tempfail 451 4.7.1", T.has(tag(conn), "would tempfail 451 4.7.1"))
	T.check("dead DNS: A-R says temperror", T.has(T.our_authres(conn), "temperror"))
	mt.disconnect(conn)

	conn, r = T.run({ milter = "MILTER_ROLLOUT", client_ip = "198.51.100.5",
			  mailfrom = "bounce@aligned.auth.test", message = T.msg("aligned") })
	local ar = T.our_authres(conn)
	print("# forged From: Authentication-Results:" .. tostring(ar):gsub("\n", "\n#   "))
	T.check("forged From, p=reject: accepted", T.accepted(r))
	T.check("forged From, p=reject: not 550", not mt.eom_check(conn, MT_SMTPREPLY, "550"))
	T.check("forged From, p=reject: A-R says dmarc=fail", T.has(ar, "dmarc=fail"))
	T.check("forged From, p=reject: A-R says dis=none", T.has(ar, "(p=reject dis=none)"))
	T.check("forged From, p=reject: A-R does not claim dis=reject", not T.has(ar, "dis=reject"))
	T.check("forged From, p=reject: tagged would reject 550 5.7.1",
		T.has(tag(conn), "would reject 550 5.7.1: " .. T.reject_text("aligned.auth.test")))
	mt.disconnect(conn)

	conn, r = T.run({ milter = "MILTER_ROLLOUT", client_ip = "192.0.2.20", mailfrom = "owner@list.auth.test",
			  message = T.msg("twofrom") })
	T.check("repeated From: accepted", T.accepted(r))
	T.check("repeated From: tagged would reject", T.has(tag(conn), "would reject 550 5.7.1"))
	mt.disconnect(conn)
end)
