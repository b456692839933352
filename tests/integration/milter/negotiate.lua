-- The milter asks only for the steps it uses. Over a Unix socket it negotiates away the replies
-- before EOM; over TCP it replies at every step and keeps DATA, so that no write of the MTA waits
-- for a delayed ACK (milter_callbacks.c, docs/performance.md).
local T = dofile(os.getenv("MILTER_DIR") .. "/common.lua")

local NO_REPLY = { "SMFIP_NR_HELO", "SMFIP_NR_MAIL", "SMFIP_NR_RCPT", "SMFIP_NR_HDR", "SMFIP_NR_EOH",
		   "SMFIP_NR_BODY" }

local function negotiated(conn, what, list, want)
	for _, f in ipairs(list) do
		T.check(what .. (want and ": negotiated " or ": not negotiated ") .. f,
			mt.test_option(conn, _G[f]) == want)
	end
end

local function common(conn, what)
	negotiated(conn, what, { "SMFIP_NOUNKNOWN", "SMFIP_HDR_LEADSPC" }, true)
	-- RCPT is kept: the first recipient's domain is the DMARC report's envelope_to.
	negotiated(conn, what, { "SMFIP_NORCPT", "SMFIP_NOCONNECT", "SMFIP_NOHELO", "SMFIP_NOMAIL", "SMFIP_NOHDRS",
				 "SMFIP_NOBODY", "SMFIP_NR_CONN" }, false)
	for _, a in ipairs({ "SMFIF_ADDHDRS", "SMFIF_CHGHDRS", "SMFIF_QUARANTINE" }) do
		T.check(what .. ": may use " .. a, mt.test_action(conn, _G[a]))
	end
	T.check(what .. ": does not change the body", not mt.test_action(conn, SMFIF_CHGBODY))
end

T.main(function()
	local tcp = T.connect()
	common(tcp, "tcp")
	negotiated(tcp, "tcp", NO_REPLY, false)
	negotiated(tcp, "tcp", { "SMFIP_NODATA" }, false)
	mt.disconnect(tcp)

	local unix = T.connect("MILTER_UNIX")
	common(unix, "unix")
	negotiated(unix, "unix", NO_REPLY, true)
	negotiated(unix, "unix", { "SMFIP_NODATA" }, true)
	mt.disconnect(unix)
end)
