-- The milter asks only for the steps it uses and negotiates away the replies before EOM.
local T = dofile(os.getenv("MILTER_DIR") .. "/common.lua")
T.main(function()
	local conn = T.connect()
	for _, f in ipairs({ "SMFIP_NORCPT", "SMFIP_NODATA", "SMFIP_NOUNKNOWN", "SMFIP_NR_HELO",
			     "SMFIP_NR_MAIL", "SMFIP_NR_HDR", "SMFIP_NR_EOH", "SMFIP_NR_BODY",
			     "SMFIP_HDR_LEADSPC" }) do
		T.check("negotiated " .. f, mt.test_option(conn, _G[f]))
	end
	for _, f in ipairs({ "SMFIP_NOCONNECT", "SMFIP_NOHELO", "SMFIP_NOMAIL", "SMFIP_NOHDRS",
			     "SMFIP_NOBODY", "SMFIP_NR_CONN" }) do
		T.check("still wants the step of " .. f, not mt.test_option(conn, _G[f]))
	end
	for _, a in ipairs({ "SMFIF_ADDHDRS", "SMFIF_CHGHDRS", "SMFIF_QUARANTINE" }) do
		T.check("may use " .. a, mt.test_action(conn, _G[a]))
	end
	T.check("does not change the body", not mt.test_action(conn, SMFIF_CHGBODY))
	mt.disconnect(conn)
end)
