-- The adversarial corpus through miltertest (milter-agree.sh lists the cases it can send in
-- AGREE_CASES as NAME:IP:HELO:MAIL-FROM:ACTION): each end-of-message reply must be the
-- expected action, as through our own client and mxguard dmarc.
local T = dofile(os.getenv("MILTER_DIR") .. "/common.lua")

T.main(function()
	local dir = os.getenv("AGREE_CORPUS")
	local n = 0
	for name, ip, helo, from, expect in os.getenv("AGREE_CASES"):gmatch("([^: ]+):([^:]+):([^:]+):([^:]*):(%a+)") do
		local conn, r = T.run({ client_ip = ip, helo = helo, mailfrom = from,
					message = dir .. "/" .. name .. ".eml" })
		if expect == "reject" then
			T.check("miltertest " .. name .. ": reject", r == SMFIR_REPLYCODE)
		else
			T.check("miltertest " .. name .. ": accept", T.accepted(r))
		end
		mt.disconnect(conn)
		n = n + 1
	end
	T.check("miltertest ran the corpus (" .. n .. " cases)", n >= 20)
end)
